"""The users console and the JSON admin API's suspend and reinstate."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient

from apps.audit.models import AdminLog
from apps.users.models import User
from apps.users.tokens import tokens_for
from tests.donations.console_roles import staff_with_role
from tests.factories import ActiveCampaignFactory, UserFactory
from tests.staff import console_client

pytestmark = pytest.mark.django_db

LIST = "/admin/users/user/"


def api_as(member) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens_for(member, second_factor=True)['access']}"
    )
    return client


@pytest.fixture
def admin_staff(db):
    return staff_with_role("administrator", email="admin@krogiving.test")


@pytest.fixture
def donor(db):
    return UserFactory(email="donor@example.com", first_name="Chidi")


def test_search_and_filters(admin_staff, donor):
    client = console_client(admin_staff)
    UserFactory(email="other@example.com", is_suspended=True)

    assert "donor@example.com" in client.get(LIST, {"q": "Chidi"}).content.decode()
    suspended = client.get(LIST, {"is_suspended__exact": "1"}).content.decode()
    assert "other@example.com" in suspended and "donor@example.com" not in suspended
    staff = client.get(LIST, {"is_staff__exact": "1"}).content.decode()
    assert "admin@krogiving.test" in staff and "donor@example.com" not in staff
    assert client.get(LIST, {"is_active__exact": "1"}).status_code == 200


def test_no_bulk_delete_and_no_delete_page(admin_staff, donor):
    client = console_client(admin_staff)

    listing = client.get(LIST).content.decode()

    assert "delete_selected" not in listing
    assert client.get(f"{LIST}{donor.pk}/delete/").status_code == 403
    response = client.post(LIST, {"action": "delete_selected", "_selected_action": [donor.pk]})
    assert User.objects.filter(pk=donor.pk).exists()
    assert response.status_code in (200, 302)


def test_suspend_from_the_users_page_revokes_tokens_at_once(admin_staff, donor):
    client = console_client(admin_staff)
    tokens = tokens_for(donor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get("/v1/profile").status_code == 200
    assert f"{LIST}{donor.pk}/suspend/" in client.get(f"{LIST}{donor.pk}/change/").content.decode()

    assert client.post(f"{LIST}{donor.pk}/suspend/", {"reason": ""}).status_code == 200
    assert not User.objects.get(pk=donor.pk).is_suspended
    response = client.post(f"{LIST}{donor.pk}/suspend/", {"reason": "Chargebacks"})

    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.is_suspended and donor.suspended_reason == "Chargebacks"
    assert api.get("/v1/profile").status_code == 401
    refresh = APIClient().post(
        "/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refresh.status_code == 401
    entry = AdminLog.objects.get(action="user.suspend", target_id=str(donor.pk))
    assert entry.actor == admin_staff and entry.after["reason"] == "Chargebacks"
    assert entry.before == {"is_suspended": False}

    page = client.get(f"{LIST}{donor.pk}/change/").content.decode()
    assert f"{LIST}{donor.pk}/reinstate/" in page
    assert client.get(f"{LIST}{donor.pk}/reinstate/").status_code == 405
    assert client.post(f"{LIST}{donor.pk}/reinstate/").status_code == 302
    donor.refresh_from_db()
    assert not donor.is_suspended
    assert AdminLog.objects.filter(action="user.unsuspend", target_id=str(donor.pk)).exists()


def test_a_suspended_staff_members_console_session_ends(admin_staff):
    support = staff_with_role("support")
    their_console = console_client(support, Client())
    assert their_console.get("/admin/").status_code == 200

    console_client(admin_staff).post(f"{LIST}{support.pk}/suspend/", {"reason": "Left"})

    assert their_console.get("/admin/").status_code == 302  # to the sign-in page


def test_support_cannot_suspend(donor):
    client = console_client(staff_with_role("support"))

    assert client.get(f"{LIST}{donor.pk}/suspend/").status_code == 403
    assert client.post(f"{LIST}{donor.pk}/suspend/", {"reason": "x"}).status_code == 403
    assert not User.objects.get(pk=donor.pk).is_suspended


def test_a_users_campaigns_and_donations_with_money_formatted(admin_staff, donor):
    ActiveCampaignFactory(organizer=donor, title="Ada walks again", goal_amount=500_000_000)

    page = console_client(admin_staff).get(f"{LIST}{donor.pk}/change/").content.decode()

    assert "Campaigns organised" not in page  # administrators lack campaigns.view_campaign
    assert "Donations given" in page
    assert f"/admin/donations/donation/?donor={donor.pk}" in page
    finance_admin = staff_with_role("administrator", email="both@krogiving.test")
    finance_admin.user_permissions.add(
        Permission.objects.get(content_type__app_label="campaigns", codename="view_campaign")
    )
    page = (
        console_client(User.objects.get(pk=finance_admin.pk))
        .get(f"{LIST}{donor.pk}/change/")
        .content.decode()
    )
    assert "Ada walks again" in page and "₦5,000,000.00" in page


# --- the JSON admin API -------------------------------------------------------------------


def test_api_suspend_and_reinstate(admin_staff, donor):
    api = api_as(admin_staff)
    victim = APIClient()
    victim.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(donor)['access']}")

    response = api.post(f"/v1/admin/users/{donor.pk}/suspend", {"reason": "Fraud"}, format="json")

    assert response.status_code == 200 and response.json()["is_suspended"] is True
    assert victim.get("/v1/profile").status_code == 401
    assert AdminLog.objects.filter(action="user.suspend", actor=admin_staff).exists()

    response = api.post(f"/v1/admin/users/{donor.pk}/reinstate")
    assert response.status_code == 200 and response.json()["is_suspended"] is False
    assert AdminLog.objects.filter(action="user.unsuspend", actor=admin_staff).exists()


def test_api_suspend_needs_a_reason_and_never_oneself(admin_staff, donor):
    api = api_as(admin_staff)

    assert api.post(f"/v1/admin/users/{donor.pk}/suspend", {}, format="json").status_code == 400
    own = api.post(f"/v1/admin/users/{admin_staff.pk}/suspend", {"reason": "x"}, format="json")
    assert own.status_code == 403
    missing = api.post(f"/v1/admin/users/{uuid.uuid4()}/suspend", {"reason": "x"}, format="json")
    assert missing.status_code == 404


def test_api_suspend_needs_change_user_and_the_second_factor(admin_staff, donor):
    support = staff_with_role("support")
    assert (
        api_as(support)
        .post(f"/v1/admin/users/{donor.pk}/suspend", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    no_second_factor = APIClient()
    no_second_factor.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(admin_staff)['access']}")
    response = no_second_factor.post(
        f"/v1/admin/users/{donor.pk}/reinstate", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not AdminLog.objects.filter(target_id=str(donor.pk)).exists()
