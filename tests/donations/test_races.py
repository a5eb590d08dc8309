"""Duplicate and concurrent deliveries on PostgreSQL, with real threads: credited once."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from apps.donations.models import Donation, DonorAggregate
from apps.donations.services import donation_settle_charge
from apps.ledger.models import LedgerTransaction
from apps.payments.models import PaystackEvent
from apps.payments.paystack import get_paystack_client
from tests.concurrency import run_in_threads

from .conftest import INITIALIZE, WEBHOOK, balances, body_of, signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid(start, paystack, campaign):
    response = start(campaign=campaign.slug, amount=500000, tip_amount=10000)
    assert response.status_code == 201
    reference = response.json()["reference"]
    paystack.pay(reference)
    return reference


def assert_credited_once(campaign, reference):
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)
    assert balances(campaign) == {
        "available": 470000,
        "held": 0,
        "fees": 30000,
        "tips": 10000,
        "clearing": -510000,
    }
    donation = Donation.objects.get(reference=reference)
    assert donation.status == "succeeded"
    assert (
        LedgerTransaction.objects.filter(reference=f"donation:{donation.pk}:succeeded").count() == 1
    )
    assert DonorAggregate.objects.get(campaign=campaign).donation_count == 1
    call_command("ledger_check")


def test_the_same_charge_success_50_times_at_once_credits_once(paid, paystack, campaign):
    body = body_of(paystack.charge_success(paid))

    def post(_):
        return (
            Client()
            .post(
                WEBHOOK,
                data=body,
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=signature(body),
            )
            .status_code
        )

    statuses, errors = run_in_threads(50, post)

    assert errors == []
    assert statuses == [200] * 50
    event = PaystackEvent.objects.get()
    assert event.deliveries == 50
    assert event.outcome == "applied"
    assert_credited_once(campaign, paid)


def test_50_different_bodies_for_one_charge_at_once_credit_once(paid, paystack, campaign):
    """The event store dedupes identical bytes only: these are 50 distinct events."""
    payload = paystack.charge_success(paid)
    bodies = [
        json.dumps({**payload, "data": {**payload["data"], "log": {"attempt": i}}}).encode()
        if i % 2
        else json.dumps(payload, indent=i % 7).encode() + b" " * i
        for i in range(50)
    ]

    def post(i):
        return (
            Client()
            .post(
                WEBHOOK,
                data=bodies[i],
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=signature(bodies[i]),
            )
            .status_code
        )

    statuses, errors = run_in_threads(50, post)

    assert errors == []
    assert statuses == [200] * 50
    outcomes = list(PaystackEvent.objects.values_list("outcome", flat=True))
    assert len(outcomes) == 50
    assert outcomes.count("applied") == 1
    assert outcomes.count("duplicate") == 49
    assert_credited_once(campaign, paid)


def test_50_direct_settlements_at_once_credit_once(paid, paystack, campaign):
    donation = Donation.objects.get(reference=paid)
    verification = get_paystack_client().verify_transaction(paid)

    outcomes, errors = run_in_threads(
        50,
        lambda _: donation_settle_charge(
            donation=donation, verification=verification, source="verify"
        ),
    )

    assert errors == []
    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 49
    assert_credited_once(campaign, paid)


def test_two_donations_of_one_donor_settling_at_once_count_one_donor(start, paystack, campaign):
    references = []
    for amount in (200000, 300000):
        response = start(campaign=campaign.slug, amount=amount, email="same@example.com")
        references.append(response.json()["reference"])
        paystack.pay(references[-1])
    bodies = [body_of(paystack.charge_success(reference)) for reference in references]

    def post(i):
        return (
            Client()
            .post(
                WEBHOOK,
                data=bodies[i % 2],
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=signature(bodies[i % 2]),
            )
            .status_code
        )

    _, errors = run_in_threads(10, post)

    assert errors == []
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)
    aggregate = DonorAggregate.objects.get(campaign=campaign)
    assert (aggregate.total, aggregate.donation_count) == (500000, 2)
    call_command("ledger_check")


def test_concurrent_requests_with_one_idempotency_key_create_one_donation(paystack, campaign):
    body = {
        "campaign": campaign.slug,
        "amount": 500000,
        "currency": "NGN",
        "email": "ada@example.com",
    }

    def post(_):
        response = Client().post(
            INITIALIZE,
            data=json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="race-key-1",
        )
        return response.status_code, response.json()

    answers, errors = run_in_threads(20, post)

    assert errors == []
    assert Donation.objects.count() == 1
    assert len(paystack.calls("initialize")) == 1
    created = [answer for status, answer in answers if status == 201]
    refused = [answer for status, answer in answers if status != 201]
    assert created, answers
    assert all(answer == created[0] for answer in created)
    assert all(
        status == 409 and answer["error"]["code"] == "idempotency_key_in_progress"
        for status, answer in answers
        if status != 201
    )
    assert len(created) + len(refused) == 20
