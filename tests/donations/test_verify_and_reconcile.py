"""GET /v1/donations/verify/<reference> and the reconciler of stale pending donations."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from apps.donations.models import Donation
from apps.donations.tasks import reconcile_pending_donations

pytestmark = pytest.mark.django_db


def started(start, campaign, **fields) -> Donation:
    response = start(campaign=campaign.slug, **fields)
    assert response.status_code == 201
    return Donation.objects.get(reference=response.json()["reference"])


def age(donation: Donation, **delta) -> None:
    Donation.objects.filter(pk=donation.pk).update(created_at=timezone.now() - timedelta(**delta))


def verify(api, reference):
    return api.get(f"/v1/donations/verify/{reference}")


def test_an_unknown_reference_is_404(api, paystack):
    response = verify(api, "don-nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_fresh_pending_donation_is_reported_without_asking_paystack(
    api, start, paystack, campaign
):
    donation = started(start, campaign)
    paystack.pay(donation.reference)

    response = verify(api, donation.reference)

    assert response.status_code == 200
    assert response.json() == {
        "reference": donation.reference,
        "status": "pending",
        "amount": 500000,
        "currency": "NGN",
        "campaign": campaign.slug,
        "paid_at": None,
    }
    assert paystack.calls("verify") == []


def test_after_the_grace_period_a_paid_donation_is_settled_by_verify(
    api, start, paystack, campaign
):
    donation = started(start, campaign)
    paystack.pay(donation.reference)
    age(donation, seconds=20)

    response = verify(api, donation.reference)

    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    assert response.json()["paid_at"]
    donation.refresh_from_db()
    assert donation.settled_via == "verify"
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)


def test_polling_asks_paystack_once_per_grace_period(api, start, paystack, campaign):
    donation = started(start, campaign)
    age(donation, seconds=20)

    for _ in range(5):
        assert verify(api, donation.reference).json()["status"] == "pending"

    assert len(paystack.calls("verify")) == 1


@pytest.mark.parametrize(
    ("paystack_status", "expected"),
    [("abandoned", "pending"), ("ongoing", "pending"), ("failed", "failed")],
)
def test_verify_reports_what_paystack_says_without_abandoning(
    api, start, paystack, campaign, paystack_status, expected
):
    donation = started(start, campaign)
    paystack.transactions[donation.reference]["status"] = paystack_status
    age(donation, seconds=20)

    assert verify(api, donation.reference).json()["status"] == expected


@pytest.mark.parametrize(
    "failure",
    [requests.ReadTimeout("timed out"), (502, {"status": False, "message": "Bad gateway"})],
)
def test_paystack_down_on_verify_still_answers_the_status(api, start, paystack, campaign, failure):
    donation = started(start, campaign)
    age(donation, seconds=20)
    paystack.fail["verify"] = failure

    response = verify(api, donation.reference)

    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_verify_leaves_a_donation_under_review_alone(api, start, paystack, campaign):
    donation = started(start, campaign)
    paystack.pay(donation.reference)
    Donation.objects.filter(pk=donation.pk).update(needs_review=True, review_reason="x")
    age(donation, seconds=20)

    assert verify(api, donation.reference).json()["status"] == "pending"
    assert paystack.calls("verify") == []


def test_the_reconciler_settles_paid_abandons_unpaid_and_fails_declined(start, paystack, campaign):
    paid = started(start, campaign, email="paid@example.com")
    unpaid = started(start, campaign, email="unpaid@example.com")
    declined = started(start, campaign, email="declined@example.com")
    young = started(start, campaign, email="young@example.com")
    review = started(start, campaign, email="review@example.com")
    unknown = started(start, campaign, email="unknown@example.com")
    paystack.pay(paid.reference)
    paystack.decline(declined.reference)
    del paystack.transactions[unknown.reference]
    Donation.objects.filter(pk=review.pk).update(needs_review=True)
    for donation in (paid, unpaid, declined, review, unknown):
        age(donation, minutes=61)
    age(young, minutes=30)

    counts = reconcile_pending_donations.delay().get()

    assert counts == {"applied": 1, "abandoned": 2, "failed": 1}
    status = dict(Donation.objects.values_list("email", "status"))
    assert status == {
        "paid@example.com": "succeeded",
        "unpaid@example.com": "abandoned",
        "declined@example.com": "failed",
        "young@example.com": "pending",
        "review@example.com": "pending",
        "unknown@example.com": "abandoned",
    }
    assert Donation.objects.get(pk=paid.pk).settled_via == "reconciler"
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (500000, 1)

    # running it again changes nothing
    assert reconcile_pending_donations.delay().get() == {}


def test_the_reconciler_waits_when_paystack_is_unreachable(start, paystack, campaign):
    donation = started(start, campaign)
    age(donation, minutes=61)
    paystack.fail["verify"] = requests.ConnectionError("no route")

    counts = reconcile_pending_donations.delay().get()

    assert counts == {"unreachable": 1}
    donation.refresh_from_db()
    assert donation.status == "pending"


def test_a_paid_but_mismatched_donation_found_by_the_reconciler_is_flagged(
    start, paystack, campaign
):
    donation = started(start, campaign)
    paystack.pay(donation.reference)
    paystack.verify_overrides[donation.reference] = {"amount": 1}
    age(donation, minutes=61)

    assert reconcile_pending_donations.delay().get() == {"ignored": 1}

    donation.refresh_from_db()
    assert donation.status == "pending" and donation.needs_review
    campaign.refresh_from_db()
    assert campaign.raised_amount == 0
