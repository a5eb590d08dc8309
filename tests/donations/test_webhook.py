"""charge.success / charge.failed through the signed webhook: one settlement path."""

import json
import logging

import pytest
from django.core import mail

from apps.donations.models import Donation, DonorAggregate
from apps.payments.models import PaystackEvent
from apps.payments.services import paystack_events_replay
from apps.payments.signing import SANDBOX_SECRET_KEY

from .conftest import assert_ledger_consistent, balances, body_of, signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(start, campaign):
    """A donation initialized and waiting for Paystack: (reference, campaign)."""
    response = start(campaign=campaign.slug, amount=500000, name="Ada Obi", message="Get well")
    assert response.status_code == 201
    return response.json()["reference"]


def test_a_verified_charge_success_credits_the_campaign_once(pending, paystack, deliver, campaign):
    paystack.pay(pending)

    response = deliver(paystack.charge_success(pending))

    assert response.status_code == 200
    donation = Donation.objects.get(reference=pending)
    assert donation.status == "succeeded"
    assert donation.settled_via == "webhook"
    assert donation.paid_at is not None and donation.channel == "card"
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)
    assert balances(campaign) == {
        "available": 470000,
        "held": 0,
        "fees": 30000,
        "tips": 0,
        "clearing": -500000,
    }
    assert len(paystack.calls("verify")) == 1
    assert PaystackEvent.objects.get().outcome == "applied"
    aggregate = DonorAggregate.objects.get(campaign=campaign)
    assert (aggregate.display_name, aggregate.total, aggregate.donation_count) == (
        "Ada Obi",
        500000,
        1,
    )
    assert_ledger_consistent()


def test_the_donor_gets_a_receipt_and_the_organiser_is_told(pending, paystack, deliver, campaign):
    paystack.pay(pending)
    mail.outbox.clear()

    deliver(paystack.charge_success(pending))

    by_recipient = {message.to[0]: message for message in mail.outbox}
    receipt = by_recipient["ada@example.com"]
    assert "Thank you" in receipt.subject and "₦5,000.00" in receipt.subject
    assert pending in receipt.body
    notice = by_recipient[campaign.organizer.email]
    assert "₦5,000.00" in notice.subject
    assert "Ada Obi" in notice.body and "Get well" in notice.body
    assert "ada@example.com" not in notice.body


@pytest.mark.parametrize(
    "how",
    ["missing", "wrong", "reserialised", "sandbox key"],
)
def test_a_badly_signed_webhook_reaches_nothing(pending, paystack, deliver, campaign, how):
    paystack.pay(pending)
    payload = paystack.charge_success(pending)
    body = body_of(payload)
    if how == "missing":
        response = deliver(body, signed=False)
    elif how == "wrong":
        response = deliver(body, headers={"HTTP_X_PAYSTACK_SIGNATURE": "ab" * 64})
    elif how == "reserialised":
        # signed over Paystack's bytes, delivered re-serialised (same JSON, other bytes)
        response = deliver(
            json.dumps(payload, indent=2).encode(),
            headers={"HTTP_X_PAYSTACK_SIGNATURE": signature(body)},
        )
    else:
        response = deliver(body, secret=SANDBOX_SECRET_KEY)

    assert response.status_code == 401
    assert PaystackEvent.objects.count() == 0
    assert Donation.objects.get(reference=pending).status == "pending"
    campaign.refresh_from_db()
    assert campaign.raised_amount == 0
    assert paystack.calls("verify") == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"amount": 5000}, "5000 NGN"),
        ({"currency": "USD"}, "500000 USD"),
        ({"amount": "500000"}, "'500000'"),
    ],
)
def test_an_event_for_another_amount_or_currency_credits_nothing(
    pending, paystack, deliver, campaign, caplog, changes, words
):
    paystack.pay(pending)

    with caplog.at_level(logging.ERROR, logger="apps.donations.services"):
        response = deliver(paystack.charge_success(pending, **changes))

    assert response.status_code == 200
    donation = Donation.objects.get(reference=pending)
    assert donation.status == "pending"
    assert donation.needs_review is True
    assert words in donation.review_reason
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (0, 0)
    assert balances(campaign)["available"] == 0
    assert PaystackEvent.objects.get().outcome == "ignored"
    assert any("ALERT" in record.getMessage() for record in caplog.records)
    assert paystack.calls("verify") == []


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"amount": 400000}, "400000 NGN"),
        ({"currency": "GHS"}, "500000 GHS"),
        ({"status": "abandoned"}, "'abandoned'"),
        ({"status": "reversed"}, "'reversed'"),
    ],
)
def test_when_paystack_verify_disagrees_nothing_is_credited(
    pending, paystack, deliver, campaign, override, words
):
    paystack.pay(pending)
    event = paystack.charge_success(pending)  # the event itself is right
    paystack.verify_overrides[pending] = override

    deliver(event)

    donation = Donation.objects.get(reference=pending)
    assert donation.status == "pending" and donation.needs_review
    assert words in donation.review_reason
    campaign.refresh_from_db()
    assert campaign.raised_amount == 0
    assert PaystackEvent.objects.get().outcome == "ignored"


def test_verify_still_in_progress_defers_the_event_until_a_replay(
    pending, paystack, deliver, campaign
):
    paystack.pay(pending)
    event = paystack.charge_success(pending)
    paystack.verify_overrides[pending] = {"status": "ongoing"}

    deliver(event)

    stored = PaystackEvent.objects.get()
    assert stored.outcome == "failed" and "ongoing" in stored.error
    assert Donation.objects.get(reference=pending).status == "pending"

    paystack.verify_overrides.clear()
    paystack_events_replay(event_ids=[stored.pk])

    assert Donation.objects.get(reference=pending).status == "succeeded"
    campaign.refresh_from_db()
    assert campaign.raised_amount == 500000


def test_paystack_unreachable_on_verify_fails_the_event_and_a_replay_settles_it(
    pending, paystack, deliver, campaign
):
    paystack.pay(pending)
    paystack.fail["verify"] = (503, {"status": False, "message": "Service unavailable"})

    deliver(paystack.charge_success(pending))

    stored = PaystackEvent.objects.get()
    assert stored.outcome == "failed"
    assert "PaystackUnavailable" in stored.error
    assert len(paystack.calls("verify")) == 3  # verify is safe to retry
    campaign.refresh_from_db()
    assert campaign.raised_amount == 0

    del paystack.fail["verify"]
    paystack_events_replay(event_ids=[stored.pk])

    stored.refresh_from_db()
    assert stored.outcome == "applied"
    campaign.refresh_from_db()
    assert campaign.raised_amount == 500000


def test_an_event_for_an_unknown_reference_is_stored_and_ignored(paystack, deliver):
    payload = {
        "event": "charge.success",
        "data": {"reference": "someone-elses-ref", "amount": 100, "currency": "NGN"},
    }

    response = deliver(payload)

    assert response.status_code == 200
    assert PaystackEvent.objects.get().outcome == "ignored"


def test_the_same_change_in_another_body_changes_nothing_more(pending, paystack, deliver, campaign):
    paystack.pay(pending)
    deliver(paystack.charge_success(pending))
    deliver(paystack.charge_success(pending))  # byte-identical redelivery
    deliver(paystack.charge_success(pending, id=999, gateway_response="Approved"))

    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)
    assert sorted(PaystackEvent.objects.values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
    ]
    assert PaystackEvent.objects.get(outcome="applied").deliveries == 2
    assert DonorAggregate.objects.get().donation_count == 1
    assert_ledger_consistent()


def test_charge_failed_fails_a_pending_donation(pending, paystack, deliver, campaign):
    paystack.decline(pending)

    deliver({"event": "charge.failed", "data": paystack.transaction_data(pending)})

    donation = Donation.objects.get(reference=pending)
    assert donation.status == "failed"
    assert "Declined" in donation.failure_reason


def test_charge_failed_after_success_changes_nothing(pending, paystack, deliver, campaign):
    paystack.pay(pending)
    deliver(paystack.charge_success(pending))

    deliver(
        {
            "event": "charge.failed",
            "data": {**paystack.transaction_data(pending), "status": "failed"},
        }
    )

    assert Donation.objects.get(reference=pending).status == "succeeded"
    campaign.refresh_from_db()
    assert campaign.raised_amount == 500000


@pytest.mark.parametrize("earlier", ["failed", "abandoned"])
def test_money_taken_after_all_is_credited_even_if_we_had_given_up(
    pending, paystack, deliver, campaign, earlier
):
    """A late charge.success that Paystack's verify confirms: the donor paid, so the
    campaign gets it (a donation we had marked failed or abandoned)."""
    Donation.objects.filter(reference=pending).update(status=earlier)
    paystack.pay(pending)

    deliver(paystack.charge_success(pending))

    donation = Donation.objects.get(reference=pending)
    assert donation.status == "succeeded"
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)
    assert_ledger_consistent()


def test_a_campaign_ended_after_initialize_still_gets_money_already_taken(
    pending, paystack, deliver, campaign
):
    type(campaign).objects.filter(pk=campaign.pk).update(status="ended")
    paystack.pay(pending)

    deliver(paystack.charge_success(pending))

    campaign.refresh_from_db()
    assert campaign.raised_amount == 500000
