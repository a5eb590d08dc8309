import logging

from celery import shared_task

from .services import campaigns_end_expired

logger = logging.getLogger(__name__)


@shared_task
def end_expired_campaigns() -> int:
    """End active campaigns whose end date has passed; safe to run any number of times."""
    ended = campaigns_end_expired()
    if ended:
        logger.info("ended expired campaigns", extra={"count": ended})
    return ended


@shared_task
def media_expire_pending() -> int:
    """Drop direct uploads never confirmed (and their stored objects)."""
    from .media import campaign_media_expire_pending

    return campaign_media_expire_pending()
