import logging

from celery import shared_task

from apps.core.idempotency import idempotency_keys_purge

from .services import donations_reconcile

logger = logging.getLogger(__name__)


@shared_task(name="donations.reconcile_pending")
def reconcile_pending_donations() -> dict:
    """Stale pending donations: settle what Paystack says was paid, abandon the rest.
    Safe to run any number of times (and at once: settlement locks the donation)."""
    counts = donations_reconcile()
    if counts:
        logger.info("pending donations reconciled", extra={"counts": dict(counts)})
    return dict(counts)


@shared_task(name="donations.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()
