"""Issue 13: a staff token from the ordinary login (password only) gives no extra sight.

Staff see other organisers' private campaigns (drafts, pending review, rejected,
suspended) in the public API only with a token from /v1/admin/auth/sign-in, which
checked an authenticator code and carries the second-factor claim, as the admin API
requires.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, CampaignFactory, StaffFactory
from tests.users.conftest import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_member(db):
    return StaffFactory(email="nosy.staff@krogiving.test")


def _client(access: str | None = None) -> APIClient:
    client = APIClient()
    if access:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _password_login(user) -> APIClient:
    response = APIClient().post(
        "/v1/users/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return _client(response.json()["access"])


def _staff_sign_in(user) -> APIClient:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = APIClient().post(
        "/v1/admin/auth/sign-in",
        {"email": user.email, "password": DEFAULT_PASSWORD, "otp": totp_code(device)},
        format="json",
    )
    assert response.status_code == 200
    return _client(response.json()["access"])


PRIVATE = ["draft", "pending_review", "rejected", "suspended"]


@pytest.mark.parametrize("status", PRIVATE)
def test_a_password_only_staff_token_cannot_read_another_organisers_private_campaign(
    status, organizer, staff_member
):
    campaign = CampaignFactory(organizer=organizer, status=status, rejection_reason="secret")
    staff = _password_login(staff_member)
    for path in (
        f"/v1/campaigns/{campaign.slug}",
        f"/v1/campaigns/{campaign.slug}/comments",
        f"/v1/campaigns/{campaign.slug}/donations",
        f"/v1/campaigns/{campaign.slug}/leaderboard",
    ):
        response = staff.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("status", PRIVATE)
def test_a_second_factor_staff_token_reads_private_campaigns(status, organizer, staff_member):
    campaign = CampaignFactory(organizer=organizer, status=status)
    staff = _staff_sign_in(staff_member)
    detail = staff.get(f"/v1/campaigns/{campaign.slug}")
    assert detail.status_code == 200
    assert "rejection_reason" in detail.json()  # the organiser's view
    assert staff.get(f"/v1/campaigns/{campaign.slug}/comments").status_code == 200
    assert staff.get(f"/v1/campaigns/{campaign.slug}/donations").status_code == 200
    assert staff.get(f"/v1/campaigns/{campaign.slug}/leaderboard").status_code == 200


def test_a_password_only_staff_token_gets_the_public_view_of_a_public_campaign(
    active, staff_member
):
    response = _password_login(staff_member).get(f"/v1/campaigns/{active.slug}")
    assert response.status_code == 200
    assert "rejection_reason" not in response.json()
    assert "editable_fields" not in response.json()


def test_the_organiser_still_sees_their_own_draft_with_a_password_token(draft, organizer):
    response = _password_login(organizer).get(f"/v1/campaigns/{draft.slug}")
    assert response.status_code == 200
    assert "rejection_reason" in response.json()
