"""A settlement whose processing task was lost between the commit and the queue (a worker
killed, a broker hiccup) is applied by the scheduled replay of Paystack events, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.donations.models import Donation
from apps.payments.models import PaystackEvent
from apps.payments.tasks import replay_paystack_events

from .conftest import WEBHOOK, assert_ledger_consistent, body_of, signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_but_unprocessed(start, paystack, campaign, django_capture_on_commit_callbacks):
    """A donation paid at Paystack whose charge.success was stored but never processed."""

    def make() -> tuple[Donation, PaystackEvent]:
        response = start(campaign=campaign.slug)
        assert response.status_code == 201
        donation = Donation.objects.get(reference=response.json()["reference"])
        paystack.pay(donation.reference)
        body = body_of(paystack.charge_success(donation.reference))
        # The on-commit enqueue of the processing task never happens.
        with django_capture_on_commit_callbacks(execute=False):
            answer = Client().post(
                WEBHOOK,
                data=body,
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=signature(body),
            )
        assert answer.status_code == 200
        event = PaystackEvent.objects.get(reference=donation.reference)
        assert event.outcome == "pending"
        donation.refresh_from_db()
        assert donation.status == "pending"
        return donation, event

    return make


def _age(event: PaystackEvent, **delta) -> None:
    PaystackEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - timedelta(**delta)
    )


def test_a_settlement_whose_task_was_lost_is_applied_by_the_replay_job_once(
    paid_but_unprocessed, django_capture_on_commit_callbacks
):
    donation, event = paid_but_unprocessed()

    assert replay_paystack_events.delay().get() == {}  # too fresh: its task may yet run
    _age(event, minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert replay_paystack_events.delay().get() == {"applied": 1}
        assert replay_paystack_events.delay().get() == {}  # nothing left

    donation.refresh_from_db()
    event.refresh_from_db()
    assert donation.status == "succeeded"
    assert (event.outcome, event.attempts) == ("applied", 1)
    assert [m.to for m in mail.outbox if "donation_receipt" in m.tags] == [[donation.email]]
    assert_ledger_consistent()


def test_an_event_whose_worker_died_mid_handler_is_applied_once_its_lease_expires(
    paid_but_unprocessed,
):
    donation, event = paid_but_unprocessed()
    _age(event, minutes=30)
    # A worker claimed it and died: its claim (lease) is live for CLAIM_LEASE.
    PaystackEvent.objects.filter(pk=event.pk).update(
        processing_started_at=timezone.now() - timedelta(minutes=2), attempts=1
    )
    assert replay_paystack_events.delay().get() == {"pending": 1}  # claim live: not taken
    donation.refresh_from_db()
    assert donation.status == "pending"

    PaystackEvent.objects.filter(pk=event.pk).update(
        processing_started_at=timezone.now() - timedelta(minutes=11)
    )
    assert replay_paystack_events.delay().get() == {"applied": 1}

    donation.refresh_from_db()
    event.refresh_from_db()
    assert donation.status == "succeeded"
    assert (event.outcome, event.attempts, event.processing_started_at) == ("applied", 2, None)
    assert_ledger_consistent()
