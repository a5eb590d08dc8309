import logging

from apps.core.idempotency import idempotency_keys_purge
from apps.core.jobs import scheduled_job

from .services import donations_reconcile

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
