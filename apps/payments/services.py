"""Paystack webhook events: store (before anything is applied), apply, replay.

`paystack_event_record` is called by the webhook view once the signature is verified;
it stores the event and, after commit, enqueues `process_paystack_event`, which calls
`paystack_event_process`: the registered handler applies it and its outcome is recorded.

Deduplication: one row per distinct raw body (SHA-256, unique). Paystack redelivers an
event until it gets a 200; a byte-identical redelivery bumps `deliveries` on the stored
row (and re-enqueues it if it is still pending or failed) instead of adding a row. A new
body costs one statement (the insert, in autocommit) and the enqueue (issue 15).
Handlers stay responsible for idempotency: the same change can arrive in two bodies.

Applying is claimed, not locked: the handler runs outside any transaction of ours, so
a handler may be a service that opens the outermost `transaction.atomic(durable=True)`.
A conditional UPDATE claims the event (pending or failed, and no live claim) and sets
`processing_started_at`; a second runner finds nothing to claim and skips. A claim older
than `CLAIM_LEASE` (a worker that died mid-handler) can be taken over.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .events import HANDLER_OUTCOMES, get_event_handler
from .models import PaystackEvent

logger = logging.getLogger(__name__)

Outcome = PaystackEvent.Outcome
CLAIM_LEASE = timedelta(minutes=10)
# Failed events the periodic replay retries at most this many times in all; the
# management command can force more.
REPLAY_MAX_ATTEMPTS = 10
_ERROR_MAX = 2000
_OPEN = (Outcome.PENDING, Outcome.FAILED)
_DONE = (Outcome.APPLIED, Outcome.IGNORED, Outcome.DUPLICATE)


def _event_reference(data: dict[str, Any]) -> str:
    """data.reference; refunds carry data.transaction_reference (or data.transaction)."""
    reference = data.get("reference") or data.get("transaction_reference")
    if not reference and isinstance(data.get("transaction"), dict):
        reference = data["transaction"].get("reference")
    return str(reference or "")[:255]


def paystack_event_record(
    *, body: bytes, payload: dict[str, Any], source_ip: str | None = None
) -> tuple[PaystackEvent, bool]:
    """Store a webhook whose signature has been verified; (event, created).

    An event type nobody handles is stored as "ignored" at once. Anything still to
    apply is enqueued after commit, by id.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        raise ValueError("a Paystack event is a JSON object with an `event` string")
    digest = hashlib.sha256(body).hexdigest()
    now = timezone.now()
    data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
    event_type = payload["event"][:100]
    paystack_id = data.get("id")
    handled = get_event_handler(event_type) is not None
    fresh = PaystackEvent(
        event_type=event_type,
        reference=_event_reference(data),
        paystack_id="" if paystack_id is None else str(paystack_id)[:64],
        payload=payload,
        body_sha256=digest,
        received_at=now,
        last_received_at=now,
        source_ip=source_ip or None,
        # An event type nobody handles is "ignored" from the start.
        outcome=Outcome.PENDING if handled else Outcome.IGNORED,
        processed_at=None if handled else now,
        error="" if handled else "No handler is registered for this event type.",
    )
    # The common case, a new body, is ONE statement: the INSERT, in autocommit (no
    # BEGIN/COMMIT of its own, no savepoint). The unique digest refuses a redelivery.
    # Inside a caller's transaction a savepoint keeps that refusal from breaking it.
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            fresh.save(force_insert=True)
        created = True
    except IntegrityError:
        created = False
    if created:
        event = fresh
        if event.outcome in _OPEN:
            transaction.on_commit(partial(_enqueue_processing, str(event.id)))
    else:
        with transaction.atomic():
            event = PaystackEvent.objects.select_for_update(of=("self",)).get(body_sha256=digest)
            PaystackEvent.objects.filter(pk=event.pk).update(
                deliveries=F("deliveries") + 1, last_received_at=now, updated_at=now
            )
            if event.outcome in _OPEN:
                transaction.on_commit(partial(_enqueue_processing, str(event.id)))
    logger.info(
        "paystack event %s",
        "stored" if created else "redelivered",
        extra={
            "paystack_event_id": str(event.id),
            "event_type": event.event_type,
            "paystack_reference": event.reference,
            "outcome": event.outcome,
        },
    )
    return event, created


def _enqueue_processing(event_id: str) -> None:
    """On-commit: enqueue; a broker failure leaves the event pending for the replay."""
    from .tasks import process_paystack_event

    try:
        process_paystack_event.delay(event_id)
    except Exception:
        logger.exception("paystack event not enqueued", extra={"paystack_event_id": event_id})


def _claim(event_id: str) -> datetime | None:
    """Take the event for processing; the claim's timestamp, or None if not ours to take."""
    now = timezone.now()
    taken = (
        PaystackEvent.objects.filter(pk=event_id, outcome__in=_OPEN)
        .filter(
            Q(processing_started_at__isnull=True) | Q(processing_started_at__lt=now - CLAIM_LEASE)
        )
        .update(processing_started_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    return now if taken else None


def _finish(event: PaystackEvent, claimed_at: datetime, *, outcome: str, error: str = "") -> None:
    """Record the outcome if the claim is still ours; `event` then shows it without
    reading it back (issue 15: one query less per event), else it is read again."""
    now = timezone.now()
    values = {
        "outcome": outcome,
        "error": error[:_ERROR_MAX],
        "processed_at": now if outcome in _DONE else None,
        "processing_started_at": None,
        "updated_at": now,
    }
    done = PaystackEvent.objects.filter(pk=event.pk, processing_started_at=claimed_at).update(
        **values
    )
    if done:
        for field, value in values.items():
            setattr(event, field, value)
    else:
        event.refresh_from_db()


def paystack_event_process(*, event_id: str) -> PaystackEvent:
    """Apply a stored event through its handler and record the outcome.

    Safe to run twice: an event already applied, ignored or duplicate, or being applied
    by another runner, is skipped. A handler that raises leaves the event "failed" with
    the error (the task retries it). Raises PaystackEvent.DoesNotExist for an unknown id.
    """
    claimed_at = _claim(event_id)
    event = PaystackEvent.objects.get(pk=event_id)
    log_extra = {
        "paystack_event_id": str(event.id),
        "event_type": event.event_type,
        "paystack_reference": event.reference,
    }
    if claimed_at is None:
        logger.info("paystack event not claimed (%s)", event.outcome, extra=log_extra)
        return event
    handler = get_event_handler(event.event_type)
    if handler is None:
        _finish(
            event,
            claimed_at,
            outcome=Outcome.IGNORED,
            error="No handler is registered for this event type.",
        )
    else:
        try:
            outcome = handler(event)
            if outcome is None:
                outcome = Outcome.APPLIED
            if outcome not in HANDLER_OUTCOMES:
                raise ValueError(
                    f"handler returned {outcome!r}; expected one of {sorted(HANDLER_OUTCOMES)}"
                )
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            logger.exception("paystack event handler failed", extra=log_extra)
            _finish(event, claimed_at, outcome=Outcome.FAILED, error=error)
        else:
            _finish(event, claimed_at, outcome=str(outcome))
    logger.info("paystack event %s", event.outcome, extra={**log_extra, "attempts": event.attempts})
    return event


def paystack_events_replay(
    *,
    outcomes: Iterable[str] = (Outcome.PENDING, Outcome.FAILED),
    older_than: timedelta = timedelta(minutes=5),
    max_attempts: int | None = REPLAY_MAX_ATTEMPTS,
    event_ids: Iterable[str] | None = None,
    limit: int = 500,
) -> Counter[str]:
    """Apply again events left pending (lost task, dead worker) or failed; counts by outcome.

    Selected: `outcomes` received more than `older_than` ago (or exactly `event_ids`),
    with fewer than `max_attempts` attempts (None: no limit), oldest first. "ignored"
    events (no handler when they arrived) may be named in `outcomes`: they are put back
    to pending first, so a handler registered since then applies them.
    """
    outcomes = [str(o) for o in outcomes]
    unknown = set(outcomes) - set(Outcome.values)
    if unknown:
        raise ValueError(f"unknown outcomes: {sorted(unknown)}")
    queryset = PaystackEvent.objects.filter(outcome__in=outcomes)
    if event_ids is not None:
        queryset = queryset.filter(pk__in=list(event_ids))
    else:
        queryset = queryset.filter(received_at__lte=timezone.now() - older_than)
    if max_attempts is not None:
        queryset = queryset.filter(attempts__lt=max_attempts)
    ids = list(queryset.order_by("received_at").values_list("pk", flat=True)[:limit])
    if Outcome.IGNORED in outcomes:
        PaystackEvent.objects.filter(pk__in=ids, outcome=Outcome.IGNORED).update(
            outcome=Outcome.PENDING, processed_at=None, error="", updated_at=timezone.now()
        )
    counts: Counter[str] = Counter()
    for event_id in ids:
        try:
            counts[paystack_event_process(event_id=str(event_id)).outcome] += 1
        except PaystackEvent.DoesNotExist:
            counts["missing"] += 1
    return counts
