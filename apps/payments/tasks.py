import logging
import random

from celery import shared_task

from apps.core.jobs import scheduled_job

from .models import PaystackEvent
from .services import paystack_event_process, paystack_events_replay

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="payments.process_paystack_event", max_retries=5, acks_late=True)
def process_paystack_event(self, event_id: str) -> str:
    """Apply one stored webhook event; safe to run twice.

    A failed handler is retried with backoff on a worker. Run eagerly (tests, `make
    run`) it is not retried in place, which would hold up the webhook's answer; the
    event stays "failed" for `paystack_replay_events` / the periodic replay.
    """
    try:
        event = paystack_event_process(event_id=event_id)
    except PaystackEvent.DoesNotExist:
        logger.warning("paystack event %s does not exist", event_id)
        return "missing"
    if (
        event.outcome == PaystackEvent.Outcome.FAILED
        and not self.request.is_eager
        and self.request.retries < self.max_retries
    ):
        countdown = min(600, 10 * 2**self.request.retries) + random.uniform(0, 5)  # noqa: S311
        raise self.retry(countdown=countdown)
    return event.outcome


@scheduled_job("payments.replay_paystack_events", time_limit=300)
def replay_paystack_events() -> dict:
    """Periodic safety net: events left pending (lost task), failed, or claimed by a run
    whose lease expired (a worker that died mid-handler) are applied again."""
    counts = paystack_events_replay()
    if counts:
        logger.info("paystack events replayed", extra={"counts": dict(counts)})
    return dict(counts)
