"""Applying stored events: the registry, claims, concurrency, replay."""

import time
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.payments.events import (
    get_event_handler,
    register_event_handler,
    registered_event_types,
    unregister_event_handler,
)
from apps.payments.models import PaystackEvent
from apps.payments.services import paystack_event_process, paystack_events_replay
from apps.payments.tasks import process_paystack_event, replay_paystack_events
from tests.concurrency import run_in_threads

from .conftest import charge_success


def make_event(
    outcome="pending", event_type="charge.success", received_ago=timedelta(hours=1), **fields
):
    payload = charge_success()
    payload["event"] = event_type
    received = timezone.now() - received_ago
    return PaystackEvent.objects.create(
        event_type=event_type,
        reference=payload["data"]["reference"],
        payload=payload,
        body_sha256=uuid.uuid4().hex * 2,
        received_at=received,
        last_received_at=received,
        outcome=outcome,
        **fields,
    )


# --- registry -------------------------------------------------------------------------


def test_one_handler_per_event_type():
    def first(event):
        return "applied"

    def second(event):
        return "applied"

    register_event_handler("transfer.reversed", first)
    try:
        register_event_handler("transfer.reversed", first)  # the same again: fine
        with pytest.raises(ValueError, match="already has a handler"):
            register_event_handler("transfer.reversed", second)
        register_event_handler("transfer.reversed", second, replace=True)
        assert get_event_handler("transfer.reversed") is second
        assert "transfer.reversed" in registered_event_types()
        unregister_event_handler("transfer.reversed", first)  # not the current one: kept
        assert get_event_handler("transfer.reversed") is second
    finally:
        unregister_event_handler("transfer.reversed")
    assert get_event_handler("transfer.reversed") is None


def test_registering_nonsense_is_refused():
    with pytest.raises(ValueError):
        register_event_handler("", lambda event: "applied")
    with pytest.raises(TypeError):
        register_event_handler("charge.success", "not callable")


# --- processing -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_event_apply_it_once(handlers):
    calls = []

    def slow(event):
        calls.append(event.id)
        time.sleep(0.3)  # the second worker arrives while the first is applying
        return "applied"

    handlers("charge.success", slow)
    event = make_event()
    _, errors = run_in_threads(2, lambda _: paystack_event_process(event_id=str(event.id)).outcome)

    assert errors == []
    assert len(calls) == 1
    event.refresh_from_db()
    assert event.outcome == "applied" and event.attempts == 1
    assert event.processing_started_at is None


def test_an_event_claimed_by_a_dead_worker_is_taken_over_after_the_lease(db, handlers):
    calls = []
    handlers("charge.success", lambda event: calls.append(1) or "applied")
    live = make_event(processing_started_at=timezone.now() - timedelta(minutes=1))
    dead = make_event(processing_started_at=timezone.now() - timedelta(hours=1))

    assert paystack_event_process(event_id=str(live.id)).outcome == "pending"
    assert paystack_event_process(event_id=str(dead.id)).outcome == "applied"
    assert len(calls) == 1


def test_the_task_reports_an_unknown_event(db):
    assert process_paystack_event.delay("7d1c7a52-0d8c-4d8e-9d7a-2f8d3c1b9e00").get() == "missing"


def test_handlers_see_the_stored_event(db, handlers):
    seen = []
    handlers("charge.success", lambda event: seen.append((event.reference, event.data)) or None)
    event = make_event()

    paystack_event_process(event_id=str(event.id))

    assert seen == [("don-ref-0001", event.payload["data"])]


# --- replay ---------------------------------------------------------------------------


def test_replay_applies_failed_and_stale_pending_events(db, handlers):
    handlers("charge.success", lambda event: "applied")
    failed = make_event(outcome="failed", error="boom", attempts=1)
    stale = make_event(outcome="pending")
    fresh = make_event(outcome="pending", received_ago=timedelta(seconds=5))
    done = make_event(outcome="applied", attempts=1)

    counts = paystack_events_replay()

    assert counts == {"applied": 2}
    for event in (failed, stale, fresh, done):
        event.refresh_from_db()
    assert (failed.outcome, failed.error, failed.attempts) == ("applied", "", 2)
    assert stale.outcome == "applied"
    assert fresh.outcome == "pending"  # its own task may still be on the way
    assert done.attempts == 1


def test_periodic_replay_gives_up_on_events_that_keep_failing(db, handlers):
    handlers("charge.success", lambda event: "applied")
    worn = make_event(outcome="failed", attempts=10)

    assert replay_paystack_events.delay().get() == {}
    worn.refresh_from_db()
    assert worn.outcome == "failed"


def test_ignored_events_can_be_applied_once_a_handler_exists(db, handlers):
    ignored = make_event(outcome="ignored", event_type="refund.processed")
    handlers("refund.processed", lambda event: "applied")

    assert paystack_events_replay(outcomes=["failed"]) == {}
    assert paystack_events_replay(outcomes=["ignored"]) == {"applied": 1}
    ignored.refresh_from_db()
    assert ignored.outcome == "applied" and ignored.processed_at is not None


def test_replay_command(db, handlers):
    outcomes = iter(["applied"])

    def handler(event):
        result = next(outcomes, None)
        if result is None:
            raise RuntimeError("still broken")
        return result

    handlers("charge.success", handler)
    make_event(outcome="failed", attempts=12)
    make_event(outcome="failed", received_ago=timedelta(hours=2))

    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("paystack_replay_events", stdout=out)

    assert exited.value.code == 1
    assert "Replayed 2 event(s): 1 applied, 1 failed." in out.getvalue()


def test_replay_command_with_nothing_to_do(db):
    out = StringIO()

    call_command("paystack_replay_events", "--outcome", "pending", stdout=out)

    assert out.getvalue().strip() == "Replayed 0 event(s)."
