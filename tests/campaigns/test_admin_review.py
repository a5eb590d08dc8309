"""The staff review queue: GET /v1/admin/campaigns, PATCH /v1/admin/campaigns/<id>/status."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from apps.audit.models import AdminLog
from apps.campaigns.models import CampaignStatus
from apps.users.tokens import tokens_for
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff_client(*codenames: str, second_factor: bool = True) -> APIClient:
    member = StaffFactory()
    for codename in codenames:
        member.user_permissions.add(Permission.objects.get(codename=codename))
    client = APIClient()
    token = tokens_for(member, second_factor=second_factor)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def user_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(UserFactory())['access']}")
    return client


@pytest.fixture
def reviewer() -> APIClient:
    return staff_client("view_campaign", "review_campaign")


@pytest.fixture
def pending():
    return CampaignFactory(status=CampaignStatus.PENDING_REVIEW)


def status_url(campaign) -> str:
    return f"/v1/admin/campaigns/{campaign.pk}/status"


def test_queue_lists_pending_campaigns_with_the_organiser(reviewer, pending):
    CampaignFactory(status=CampaignStatus.DRAFT)
    body = reviewer.get("/v1/admin/campaigns", {"status": "pending_review"}).json()
    assert [row["id"] for row in body["results"]] == [str(pending.pk)]
    assert body["results"][0]["organizer_email"] == pending.organizer.email


def test_unknown_status_filter_is_400(reviewer):
    response = reviewer.get("/v1/admin/campaigns", {"status": "live"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_approve_publishes_and_is_audited(reviewer, pending, api):
    response = reviewer.patch(status_url(pending), {"action": "approve"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert api.get(f"/v1/campaigns/{pending.slug}").status_code == 200
    assert AdminLog.objects.filter(action="campaign.approve", target_id=str(pending.pk)).exists()


def test_reject_needs_a_reason(reviewer, pending):
    response = reviewer.patch(status_url(pending), {"action": "reject"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = reviewer.patch(
        status_url(pending),
        {"action": "reject", "reason": "Add a photo of the bill."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "Add a photo of the bill."


def test_a_transition_the_status_does_not_allow_is_409(reviewer):
    active = CampaignFactory(status=CampaignStatus.ACTIVE)
    response = reviewer.patch(status_url(active), {"action": "approve"}, format="json")
    assert response.status_code == 409
    assert "active" in response.json()["error"]["message"]


def test_suspend_needs_the_change_permission(reviewer):
    active = CampaignFactory(status=CampaignStatus.ACTIVE)
    payload = {"action": "suspend", "reason": "fraud report"}
    assert reviewer.patch(status_url(active), payload, format="json").status_code == 403
    moderator = staff_client("view_campaign", "change_campaign")
    response = moderator.patch(status_url(active), payload, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"


@pytest.mark.parametrize(
    ("make_client", "status"),
    [
        (APIClient, 401),
        (user_client, 403),
        (lambda: staff_client("view_campaign", "review_campaign", second_factor=False), 403),
        (staff_client, 403),
    ],
    ids=["anonymous", "user", "staff-without-2fa", "staff-without-permission"],
)
def test_permission_matrix(make_client, status, pending):
    client = make_client()
    assert client.get("/v1/admin/campaigns").status_code == status
    response = client.patch(status_url(pending), {"action": "approve"}, format="json")
    assert response.status_code == status
    pending.refresh_from_db()
    assert pending.status == CampaignStatus.PENDING_REVIEW


def test_unknown_campaign_is_404(reviewer):
    response = reviewer.patch(
        "/v1/admin/campaigns/00000000-0000-0000-0000-000000000000/status",
        {"action": "approve"},
        format="json",
    )
    assert response.status_code == 404
