"""Every change to a donation leaves an entry on its timeline, in order, never rewritten."""

import pytest

from apps.donations.models import Donation, DonationEvent, DonationRefund
from apps.donations.services import donation_check_with_paystack

from .conftest import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def _types(donation) -> list[str]:
    return list(DonationEvent.objects.filter(donation=donation).values_list("type", flat=True))


def test_a_donation_walked_through_every_status_reads_back_in_order(
    start, paystack, deliver, campaign, staff_api, django_capture_on_commit_callbacks
):
    reference = start(campaign=campaign.slug, amount=500000).json()["reference"]
    donation = Donation.objects.get(reference=reference)
    assert _types(donation) == ["created", "checkout_started"]

    # Paystack declines it (the reconciler asks verify) ...
    paystack.decline(reference)
    assert donation_check_with_paystack(donation=donation, source="reconciler", abandon=True) == (
        "failed"
    )
    # ... and later the card is charged after all: verify says success, it settles.
    paystack.pay(reference)
    deliver(paystack.charge_success(reference))
    donation.refresh_from_db()
    assert donation.status == "succeeded"

    def refund(**body):
        with django_capture_on_commit_callbacks(execute=True):
            return staff_api.post(
                f"/v1/admin/donations/{donation.pk}/refund",
                {"reason": "Asked by the donor", **body},
                format="json",
            )

    assert refund(amount=100000).status_code == 202
    deliver(paystack.refund_processed(paystack.refunds[-1]))
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("succeeded", 100000)

    assert refund().status_code == 202
    deliver(paystack.refund_processed(paystack.refunds[-1]))
    donation.refresh_from_db()
    assert donation.status == "refunded"
    assert_ledger_consistent()

    events = list(DonationEvent.objects.filter(donation=donation).order_by("id"))
    assert [e.type for e in events] == [
        "created",
        "checkout_started",
        "failed",
        "succeeded",
        "refund_requested",
        "refund_processed",
        "refund_requested",
        "refund_processed",
        "refunded",
    ]
    statuses = [(e.data["from"], e.data["to"]) for e in events if "to" in e.data]
    assert statuses == [
        ("pending", "failed"),
        ("failed", "succeeded"),
        ("succeeded", "refunded"),
    ]
    by_type = {e.type: e for e in events}
    assert by_type["failed"].source == "reconciler"
    assert by_type["succeeded"].source == "webhook"
    assert by_type["refund_requested"].actor == staff_api.user
    assert events[5].data["amount"] == 100000

    # the staff API shows the same timeline, oldest first
    detail = staff_api.get(f"/v1/admin/donations/{donation.pk}").json()
    assert [e["type"] for e in detail["timeline"]] == [e.type for e in events]
    assert detail["timeline"][4]["actor"] == {
        "id": str(staff_api.user.pk),
        "email": staff_api.user.email,
    }

    # a repeated delivery changes nothing
    deliver(paystack.refund_processed(paystack.refunds[-1]))
    assert DonationRefund.objects.filter(donation=donation, status="processed").count() == 2
    donation.refresh_from_db()
    assert donation.refunded_amount == donation.charged_amount
    assert DonationEvent.objects.filter(donation=donation, type="refund_processed").count() == 2


def test_a_duplicate_charge_success_is_recorded_as_an_attempt(donate, paystack, deliver, campaign):
    reference = donate(campaign, amount=500000)["reference"]
    # the same change in another body (a byte-identical one is deduplicated on intake)
    deliver(paystack.charge_success(reference, requested_amount=500000))
    donation = Donation.objects.get(reference=reference)
    assert _types(donation) == [
        "created",
        "checkout_started",
        "succeeded",
        "settlement_attempt",
    ]
    attempt = DonationEvent.objects.filter(donation=donation).last()
    assert attempt.data == {"outcome": "duplicate", "status": "succeeded"}


def test_a_flag_for_review_is_on_the_timeline_with_its_reason(start, paystack, deliver, campaign):
    reference = start(campaign=campaign.slug, amount=500000).json()["reference"]
    paystack.pay(reference)
    deliver(paystack.charge_success(reference, amount=5000))
    donation = Donation.objects.get(reference=reference)
    flag = DonationEvent.objects.filter(donation=donation, type="flagged_for_review").get()
    assert "5000 NGN" in flag.data["problem"]
    assert flag.source == "webhook"
