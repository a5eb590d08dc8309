"""The donation handlers take Paystack's documented payloads as they are (adapted only to
our references and amounts): charge.success with every metadata Paystack sends, and a
refund walked through refund.pending, refund.processing, refund.processed or
refund.failed. The ledger check is clean after each."""

import pytest
from django.core.management import call_command

from apps.donations.models import Donation, DonationRefund
from apps.payments.models import PaystackEvent
from tests.payments.paystack_docs import documented

from .conftest import assert_ledger_consistent, balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(donate, campaign):
    """A succeeded donation of NGN 5,000 (fee NGN 300 out of it) with a NGN 200 tip."""
    reference = donate(campaign, amount=500000, tip_amount=20000)["reference"]
    return Donation.objects.get(reference=reference)


@pytest.fixture
def ask_refund(staff_api, django_capture_on_commit_callbacks):
    def ask(donation, **body):
        body.setdefault("reason", "Donor asked: paid twice by mistake")
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_api.post(
                f"/v1/admin/donations/{donation.pk}/refund", body, format="json"
            )
        assert response.status_code == 202, response.content
        return response.json()

    return ask


def refund_event(status: str, donation: Donation, amount: int, **data) -> dict:
    """Paystack's documented refund.<status> payload, for our donation and amount (kept a
    string where the documented one is a string)."""
    payload = documented(f"refund.{status}")
    documented_amount = payload["data"]["amount"]
    payload["data"].update(
        transaction_reference=donation.reference,
        amount=str(amount) if isinstance(documented_amount, str) else amount,
        **data,
    )
    return payload


def ledger_clean() -> None:
    assert_ledger_consistent()
    call_command("ledger_check")


def settled_state(donation, campaign) -> tuple:
    donation.refresh_from_db()
    campaign.refresh_from_db()
    return (
        donation.status,
        donation.refunded_amount,
        campaign.raised_amount,
        campaign.donor_count,
        tuple(sorted(balances(campaign).items())),
        tuple(DonationRefund.objects.values_list("status", flat=True)),
    )


@pytest.mark.parametrize("metadata", [{}, "", 0, {"source": "paystack"}])
def test_the_documented_charge_success_settles_whatever_its_metadata(
    start, paystack, deliver, campaign, metadata
):
    reference = start(campaign=campaign.slug).json()["reference"]
    paystack.pay(reference)
    charged = paystack.transactions[reference]
    payload = documented("charge.success")
    payload["data"].update(
        reference=reference,
        amount=charged["amount"],
        currency="NGN",
        metadata=metadata,
        customer={**payload["data"]["customer"], "email": charged["email"]},
    )

    assert deliver(payload).status_code == 200

    donation = Donation.objects.get(reference=reference)
    assert donation.status == "succeeded"
    assert PaystackEvent.objects.get(event_type="charge.success").outcome == "applied"
    ledger_clean()


def test_a_refund_walked_with_the_documented_events_settles_once(
    given, ask_refund, deliver, campaign
):
    ask_refund(given, amount=100000)
    held = balances(campaign)["held"]
    assert held == 100000

    for status in ("pending", "processing"):
        assert deliver(refund_event(status, given, 100000)).status_code == 200
        assert DonationRefund.objects.get().status == "pending"
        assert balances(campaign)["held"] == held
    ledger_clean()

    processed = refund_event("processed", given, 100000)
    assert deliver(processed).status_code == 200

    after = settled_state(given, campaign)
    assert after[:4] == ("succeeded", 100000, 400000, 1)
    refund = DonationRefund.objects.get()
    assert refund.status == "processed"
    assert refund.paystack_refund_reference == "132013318360"
    assert balances(campaign)["held"] == 0
    ledger_clean()

    # repeated and late events change nothing
    deliver(processed)
    deliver(refund_event("processed", given, 100000, processor="visa"))
    deliver(refund_event("pending", given, 100000))
    deliver(refund_event("processing", given, 100000))

    assert settled_state(given, campaign) == after
    ledger_clean()


def test_refund_events_out_of_order_settle_once(given, ask_refund, deliver, campaign):
    ask_refund(given)

    deliver(refund_event("processed", given, 520000))
    after = settled_state(given, campaign)
    deliver(refund_event("processing", given, 520000))
    deliver(refund_event("pending", given, 520000))
    deliver(refund_event("processed", given, 520000))

    assert after[:4] == ("refunded", 520000, 0, 0)
    assert settled_state(given, campaign) == after
    assert DonationRefund.objects.get().status == "processed"
    ledger_clean()


def test_the_documented_refund_failed_releases_the_hold(given, ask_refund, deliver, campaign):
    before = balances(campaign)
    ask_refund(given, amount=100000)
    deliver(refund_event("pending", given, 100000))
    assert balances(campaign)["held"] == 100000

    failed = refund_event("failed", given, 100000)
    assert isinstance(failed["data"]["amount"], int)  # as documented
    assert deliver(failed).status_code == 200

    refund = DonationRefund.objects.get()
    assert refund.status == "failed"
    assert balances(campaign) == before
    given.refresh_from_db()
    assert (given.status, given.refunded_amount) == ("succeeded", 0)
    ledger_clean()

    deliver(failed)  # again: nothing more
    assert balances(campaign) == before
    assert DonationRefund.objects.get().status == "failed"
    ledger_clean()

    # staff may try again, and that one settles
    ask_refund(given, amount=100000)
    deliver(refund_event("processed", given, 100000))
    given.refresh_from_db()
    assert given.refunded_amount == 100000
    ledger_clean()
