import logging

from apps.core.jobs import scheduled_job

from .services import campaigns_end_expired

logger = logging.getLogger(__name__)


@scheduled_job("apps.campaigns.tasks.end_expired_campaigns", time_limit=300)
def end_expired_campaigns() -> int:
    """End active campaigns whose end date has passed and email their organisers; safe to
    run any number of times (an ended campaign is not ended, or announced, again)."""
    ended = campaigns_end_expired()
    if ended:
        logger.info("ended expired campaigns", extra={"count": ended})
    return ended


@scheduled_job("apps.campaigns.tasks.media_expire_pending", time_limit=300)
def media_expire_pending() -> int:
    """Drop direct uploads never confirmed (and their stored objects)."""
    from .media import campaign_media_expire_pending

    return campaign_media_expire_pending()
