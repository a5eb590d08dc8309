import jwt
import pytest
from django.contrib.auth.models import Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.users.conftest import totp_code

pytestmark = pytest.mark.django_db


def sign_in(api, email, otp, password=DEFAULT_PASSWORD):
    return api.post(
        "/v1/admin/auth/sign-in", {"email": email, "password": password, "otp": otp}, format="json"
    )


def test_right_code_gives_tokens_marked_as_second_factor(api, staff, staff_device):
    response = sign_in(api, staff.email, totp_code(staff_device))
    assert response.status_code == 200
    tokens = response.json()
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    assert claims["otp_verified"] is True
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    listing = api.get("/v1/admin/users")
    assert listing.status_code == 200
    assert set(listing.json()) == {"count", "next", "previous", "results"}


def test_a_code_is_accepted_once(api, staff, staff_device):
    code = totp_code(staff_device)
    assert sign_in(api, staff.email, code).status_code == 200
    replay = sign_in(api, staff.email, code)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "invalid_otp"
    assert "otp" in replay.json()["error"]["fields"]


def test_the_next_code_works_after_one_was_used(api, staff, staff_device):
    assert sign_in(api, staff.email, totp_code(staff_device)).status_code == 200
    staff_device.refresh_from_db()
    # tolerance admits the next step's code, which is after the last one used
    assert sign_in(api, staff.email, totp_code(staff_device, offset_steps=1)).status_code == 200


def test_wrong_code_is_refused(api, staff, staff_device):
    right = totp_code(staff_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = sign_in(api, staff.email, wrong)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_otp"


def test_wrong_password_is_refused_before_the_code_is_checked(api, staff, staff_device):
    code = totp_code(staff_device)
    assert sign_in(api, staff.email, code, password="wrong-password").status_code == 401
    # the code was not consumed
    assert sign_in(api, staff.email, code).status_code == 200


def test_an_unconfirmed_device_does_not_count(api, staff):
    device = TOTPDevice.objects.create(user=staff, name="pending", confirmed=False)
    response = sign_in(api, staff.email, totp_code(device))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_device_missing"


def test_a_non_staff_account_cannot_sign_in_here(api, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = sign_in(api, user.email, totp_code(device))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_staff"


def test_bad_otp_format_names_the_field(api, staff, staff_device):
    response = sign_in(api, staff.email, "12ab")
    assert response.status_code == 400
    assert "otp" in response.json()["error"]["fields"]


def test_wrong_codes_count_towards_the_lockout(api, staff, staff_device, settings):
    right = totp_code(staff_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    statuses = [
        sign_in(api, staff.email, wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert sign_in(api, staff.email, right).status_code == 429


class TestAdminGuard:
    def test_a_token_from_the_ordinary_login_is_refused(self, api, staff):
        tokens = api.post(
            "/v1/users/login", {"email": staff.email, "password": DEFAULT_PASSWORD}, format="json"
        ).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        response = api.get("/v1/admin/users")
        assert response.status_code == 403
        assert "/v1/admin/auth/sign-in" in response.json()["error"]["message"]

    def test_anonymous_is_401(self, api):
        assert api.get("/v1/admin/users").status_code == 401

    def test_staff_without_the_endpoints_permission_is_refused(self, api):
        member = StaffFactory()
        device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
        tokens = sign_in(api, member.email, totp_code(device)).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert api.get("/v1/admin/users").status_code == 403
        member.user_permissions.add(Permission.objects.get(codename="view_user"))
        assert api.get("/v1/admin/users").status_code == 200

    def test_refreshed_staff_tokens_keep_the_second_factor(self, api, staff, staff_device):
        tokens = sign_in(api, staff.email, totp_code(staff_device)).json()
        refreshed = api.post(
            "/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json"
        ).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access']}")
        assert api.get("/v1/admin/users").status_code == 200

    def test_a_staff_member_who_loses_staff_status_loses_access(self, api, staff, staff_device):
        tokens = sign_in(api, staff.email, totp_code(staff_device)).json()
        staff.is_staff = False
        staff.save()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert api.get("/v1/admin/users").status_code == 403

    def test_user_list_search(self, api, staff, staff_device):
        UserFactory(email="findme@example.com")
        UserFactory(email="other@example.com")
        tokens = sign_in(api, staff.email, totp_code(staff_device)).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        body = api.get("/v1/admin/users", {"q": "findme"}).json()
        assert [row["email"] for row in body["results"]] == ["findme@example.com"]
