import logging

from celery import shared_task

from apps.core.idempotency import idempotency_keys_purge
from apps.core.jobs import scheduled_job

from .services import donations_reconcile
from .services.organizer_notice import (
    donations_organizer_notice,
    organizer_notice_due,
    organizer_notices_sweep,
)

logger = logging.getLogger(__name__)


@scheduled_job("donations.reconcile_pending", time_limit=300)
def reconcile_pending_donations() -> dict:
    """Stale pending donations: settle what Paystack says was paid, abandon the rest.
    Safe to run any number of times (and at once: settlement locks the donation)."""
    counts = donations_reconcile()
    if counts:
        logger.info("pending donations reconciled", extra={"counts": dict(counts)})
    return dict(counts)


@scheduled_job("donations.purge_idempotency_keys", time_limit=300)
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task(
    name="donations.send_organizer_notice",
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def send_organizer_notice(campaign_id: str) -> int:
    """One coalesced notice of the campaign's new donations; safe to run twice (a run
    finds nothing left to tell). How many donations it named."""
    organizer_notice_due(campaign_id)
    notification = donations_organizer_notice(campaign_id=campaign_id)
    return 0 if notification is None else int(notification.context.get("count", 1))


@scheduled_job("donations.organizer_notices", time_limit=300)
def send_late_organizer_notices() -> int:
    """Organisers whose new donations a lost task left untold: a notice each."""
    return organizer_notices_sweep()
