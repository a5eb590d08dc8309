import logging

from celery import shared_task

from apps.core.jobs import scheduled_job

from .services import TransferSend, payout_send_transfer, payouts_reconcile

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="payouts.send_transfer",
    acks_late=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def send_payout_transfer(self, withdrawal_id: str) -> str:
    """Send an approved withdrawal's transfer. Paystack unreachable: retried with backoff,
    with the same reference, so a retry can never pay twice. Refused: left to staff and
    the reconciler."""
    outcome = payout_send_transfer(withdrawal_id=withdrawal_id)
    if outcome == TransferSend.UNREACHABLE and not self.request.is_eager:
        raise self.retry(countdown=min(600, 15 * 2**self.request.retries))
    return str(outcome)


@scheduled_job("payouts.reconcile", time_limit=300)
def reconcile_payouts() -> dict[str, int]:
    """Approved withdrawals never sent, processing ones Paystack is quiet about."""
    counts = payouts_reconcile()
    if counts:
        logger.info("payouts reconciled", extra={"counts": dict(counts)})
    return dict(counts)
