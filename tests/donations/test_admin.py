"""GET /v1/admin/donations (and one donation) for staff."""

import pytest
from rest_framework.test import APIClient

from apps.donations.models import Donation
from apps.users.tokens import tokens_for
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def some(donate, start, campaign):
    other = CampaignFactory(title="Other campaign")
    donate(campaign, amount=300000, email="ada@example.com")
    donate(other, amount=200000, email="bayo@example.com")
    start(campaign=campaign.slug, email="pending@example.com")
    return campaign, other


def test_staff_see_every_donation_with_the_details(staff_api, some):
    response = staff_api.get("/v1/admin/donations")

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 3
    newest = page["results"][0]
    assert newest["email"] == "pending@example.com" and newest["status"] == "pending"
    assert {"reference", "charged_amount", "net_campaign", "campaign", "needs_review"} <= set(
        newest
    )


@pytest.mark.parametrize(
    ("query", "emails"),
    [
        ("status=succeeded", {"ada@example.com", "bayo@example.com"}),
        ("status=pending", {"pending@example.com"}),
        ("email=ADA@example.com", {"ada@example.com"}),
        ("campaign=other-campaign", {"bayo@example.com"}),
        ("needs_review=true", set()),
    ],
)
def test_filters(staff_api, some, query, emails):
    results = staff_api.get(f"/v1/admin/donations?{query}").json()["results"]

    assert {row["email"] for row in results} == emails


def test_filter_by_campaign_id(staff_api, some):
    campaign, _ = some

    results = staff_api.get(f"/v1/admin/donations?campaign={campaign.pk}").json()["results"]

    assert {row["email"] for row in results} == {"ada@example.com", "pending@example.com"}


def test_a_bad_status_filter_is_a_400(staff_api, some):
    assert staff_api.get("/v1/admin/donations?status=paid").status_code == 400


def test_one_donation_with_its_refunds(staff_api, some):
    donation = Donation.objects.get(email="ada@example.com")

    body = staff_api.get(f"/v1/admin/donations/{donation.pk}").json()

    assert body["reference"] == donation.reference and body["refunds"] == []
    assert staff_api.get(f"/v1/admin/donations/{donation.campaign_id}").status_code == 404


def test_staff_without_the_permission_are_refused(some):
    client = APIClient()
    member = StaffFactory()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens_for(member, second_factor=True)['access']}"
    )

    assert client.get("/v1/admin/donations").status_code == 403
