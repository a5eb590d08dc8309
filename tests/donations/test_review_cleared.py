"""Issue 13: `needs_review` used to stay true after a flagged donation later settled
cleanly. Now the clean settlement clears it, and the timeline shows both the flag and
its clearing."""

import pytest

from apps.donations.models import Donation, DonationEvent
from apps.donations.services import donation_check_with_paystack

from .conftest import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def _types(donation) -> list[str]:
    return list(DonationEvent.objects.filter(donation=donation).values_list("type", flat=True))


def test_a_flagged_donation_that_later_settles_cleanly_is_no_longer_flagged(
    start, paystack, deliver, campaign
):
    reference = start(campaign=campaign.slug, amount=500000).json()["reference"]
    paystack.pay(reference)
    # Paystack's verify first disagrees on the amount: flagged, nothing credited
    paystack.verify_overrides[reference] = {"amount": 5000}
    deliver(paystack.charge_success(reference))
    donation = Donation.objects.get(reference=reference)
    assert donation.status == "pending" and donation.needs_review
    assert "5000 NGN" in donation.review_reason

    # later verify confirms the charge: the reconciler settles it
    del paystack.verify_overrides[reference]
    assert (
        donation_check_with_paystack(donation=donation, source="reconciler", abandon=False)
        == "applied"
    )
    donation.refresh_from_db()
    assert donation.status == "succeeded"
    assert donation.needs_review is False
    assert donation.review_reason == ""
    assert _types(donation) == [
        "created",
        "checkout_started",
        "flagged_for_review",
        "succeeded",
        "review_cleared",
    ]
    cleared = DonationEvent.objects.get(donation=donation, type="review_cleared")
    assert cleared.source == "reconciler"
    assert len(cleared.data["reasons"]) == 1 and "5000 NGN" in cleared.data["reasons"][0]
    assert_ledger_consistent()


def test_a_clean_settlement_of_an_unflagged_donation_records_no_clearing(donate, campaign):
    donation = Donation.objects.get(reference=donate(campaign, amount=500000)["reference"])
    assert donation.status == "succeeded" and not donation.needs_review
    assert "review_cleared" not in _types(donation)


def test_staff_can_find_it_no_more_among_donations_to_review(
    start, paystack, deliver, campaign, staff_api
):
    reference = start(campaign=campaign.slug, amount=500000).json()["reference"]
    paystack.pay(reference)
    paystack.verify_overrides[reference] = {"amount": 5000}
    deliver(paystack.charge_success(reference))
    listed = staff_api.get("/v1/admin/donations?needs_review=true").json()["results"]
    assert [row["reference"] for row in listed] == [reference]
    del paystack.verify_overrides[reference]
    donation_check_with_paystack(
        donation=Donation.objects.get(reference=reference), source="reconciler", abandon=False
    )
    assert staff_api.get("/v1/admin/donations?needs_review=true").json()["results"] == []
