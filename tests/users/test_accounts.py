import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

REGISTER = {
    "email": "Ada.Obi@Example.com",
    "password": "kobo-Counting-42",
    "first_name": "Ada",
    "last_name": "Obi",
    "phone": "08031234567",
}


def register(api, **changes):
    return api.post("/v1/users/register", {**REGISTER, **changes}, format="json")


def login(api, email, password=DEFAULT_PASSWORD, **extra):
    return api.post(
        "/v1/users/login", {"email": email, "password": password}, format="json", **extra
    )


class TestRegister:
    def test_creates_the_account_and_returns_user_and_tokens(self, api):
        response = register(api)
        assert response.status_code == 201
        body = response.json()
        assert body["user"] == {
            "id": body["user"]["id"],
            "email": "ada.obi@example.com",
            "first_name": "Ada",
            "last_name": "Obi",
            "phone": "+2348031234567",
        }
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
        assert api.get("/v1/profile").json()["email"] == "ada.obi@example.com"

    def test_sends_a_welcome_email(self, api, django_capture_on_commit_callbacks, mailoutbox):
        with django_capture_on_commit_callbacks(execute=True):
            assert register(api).status_code == 201
        assert [m.to for m in mailoutbox] == [["ada.obi@example.com"]]

    def test_an_email_already_taken_in_another_case_is_refused(self, api):
        UserFactory(email="ada.obi@example.com")
        response = register(api, email="ADA.OBI@example.com")
        assert response.status_code == 400
        assert "email" in response.json()["error"]["fields"]
        assert User.objects.count() == 1

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"password": "password"}, "password"),
            ({"password": "12345678"}, "password"),
            ({"password": "ada.obi@example"}, "password"),
            ({"email": "not-an-email"}, "email"),
            ({"phone": "0803"}, "phone"),
            ({"phone": "+1 555"}, "phone"),
            ({"first_name": ""}, "first_name"),
            ({"first_name": ["Ada"]}, "first_name"),
            ({"is_staff": True}, "is_staff"),
            ({"nickname": "ada"}, "nickname"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(self, api, changes, field):
        response = register(api, **changes)
        assert response.status_code == 400
        error = response.json()["error"]
        assert field in error["fields"], error
        assert error["code"] in {"validation_error"}
        assert not User.objects.exists()

    def test_missing_fields_are_each_named(self, api):
        response = api.post("/v1/users/register", {}, format="json")
        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {
            "email",
            "password",
            "first_name",
            "last_name",
        }

    def test_phone_is_optional(self, api):
        payload = {k: v for k, v in REGISTER.items() if k != "phone"}
        response = api.post("/v1/users/register", payload, format="json")
        assert response.status_code == 201
        assert response.json()["user"]["phone"] is None

    def test_a_phone_already_taken_is_refused(self, api):
        # Only a verified number blocks (issue 13: an unverified one is taken over).
        UserFactory(phone="+2348031234567", phone_verified=True)
        response = register(api, phone="+234 803 123 4567")
        assert response.status_code == 400
        assert "phone" in response.json()["error"]["fields"]


class TestLogin:
    def test_returns_tokens_and_user(self, api, user):
        response = login(api, user.email.upper())
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access", "refresh", "user"}
        assert body["user"]["email"] == user.email

    def test_wrong_password_is_401(self, api, user):
        response = login(api, user.email, "wrong-password")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"

    def test_unknown_email_is_the_same_401(self, api):
        response = login(api, "nobody@example.com")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "Email or password is incorrect."

    def test_access_lives_15_minutes_and_refresh_7_days(self, api, user):
        body = login(api, user.email).json()
        access = jwt.decode(body["access"], options={"verify_signature": False})
        refresh = jwt.decode(body["refresh"], options={"verify_signature": False})
        assert access["exp"] - access["iat"] == 15 * 60
        assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
        assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].days == 7


class TestLockout:
    def test_five_failures_lock_the_account_even_with_the_right_password(self, api, user):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert login(api, user.email, "nope-nope").status_code == 401
        locked = login(api, user.email, "nope-nope")
        assert locked.status_code == 429
        response = login(api, user.email)
        assert response.status_code == 429
        error = response.json()["error"]
        assert error["code"] == "account_locked"
        assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()

    def test_the_lock_covers_the_account_from_another_address(self, api, user):
        # Issue 13: from a new address it is a short progressive delay, not a 15-minute
        # lock (tests/users/test_abuse.py shows the owner getting through).
        for index in range(settings.AXES_FAILURE_LIMIT):
            login(api, user.email, "nope-nope", REMOTE_ADDR=f"10.0.0.{index + 1}")
        delayed = login(api, user.email, REMOTE_ADDR="10.9.9.9")
        assert delayed.status_code == 429
        assert delayed.json()["error"]["code"] == "login_delayed"

    def test_one_address_guessing_many_accounts_is_locked_out(self, api):
        victims = UserFactory.create_batch(settings.AXES_FAILURE_LIMIT + 1)
        for victim in victims[: settings.AXES_FAILURE_LIMIT - 1]:
            assert login(api, victim.email, "guess-1234").status_code == 401
        limit_reached = login(api, victims[settings.AXES_FAILURE_LIMIT - 1].email, "guess-1234")
        assert limit_reached.status_code == 429
        assert login(api, victims[-1].email).status_code == 429
        # The untouched account is not itself locked: it signs in from elsewhere.
        assert login(api, victims[-1].email, REMOTE_ADDR="10.1.1.1").status_code == 200

    def test_a_success_before_the_limit_resets_the_count(self, api, user):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(api, user.email, "nope-nope")
        assert login(api, user.email).status_code == 200
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(api, user.email, "nope-nope")
        assert login(api, user.email).status_code == 200

    def test_login_is_rate_limited_per_address(self, api, user, settings):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "login": "3/min",
            },
        }
        from rest_framework.throttling import ScopedRateThrottle

        ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        try:
            statuses = [login(api, user.email).status_code for _ in range(4)]
        finally:
            from rest_framework.settings import api_settings

            ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        assert statuses == [200, 200, 200, 429]


class TestRefreshAndLogout:
    def test_refresh_rotates_and_the_old_refresh_token_dies(self, api, user):
        first = login(api, user.email).json()
        response = api.post("/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
        assert response.status_code == 200
        second = response.json()
        assert set(second) == {"access", "refresh"}
        assert second["refresh"] != first["refresh"]
        reused = api.post("/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
        assert reused.status_code == 401
        assert reused.json()["error"]["code"] == "token_not_valid"
        again = api.post("/v1/auth/token/refresh", {"refresh": second["refresh"]}, format="json")
        assert again.status_code == 200

    def test_an_access_token_is_not_a_refresh_token(self, api, user):
        tokens = login(api, user.email).json()
        response = api.post("/v1/auth/token/refresh", {"refresh": tokens["access"]}, format="json")
        assert response.status_code == 401

    def test_garbage_refresh_token_is_401(self, api):
        response = api.post("/v1/auth/token/refresh", {"refresh": "abc.def.ghi"}, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_not_valid"

    def test_refresh_for_a_deleted_account_is_401(self, api, user):
        tokens = login(api, user.email).json()
        user.delete()
        response = api.post("/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
        assert response.status_code == 401

    def test_logout_blacklists_the_refresh_token(self, api, user):
        tokens = login(api, user.email).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert (
            api.post("/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code
            == 204
        )
        response = api.post("/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
        assert response.status_code == 401

    def test_logout_with_another_users_token_is_refused(self, api, user):
        other = UserFactory()
        theirs = login(api, other.email).json()
        mine = login(api, user.email).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access']}")
        response = api.post("/v1/auth/logout", {"refresh": theirs["refresh"]}, format="json")
        assert response.status_code == 400
        assert "refresh" in response.json()["error"]["fields"]
        assert (
            api.post(
                "/v1/auth/token/refresh", {"refresh": theirs["refresh"]}, format="json"
            ).status_code
            == 200
        )

    def test_logout_needs_a_login(self, api):
        response = api.post("/v1/auth/logout", {"refresh": "x"}, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


class TestSuspension:
    def test_a_suspended_user_cannot_log_in_refresh_or_use_a_token(self, api, user):
        from apps.users.services import user_suspend

        tokens = login(api, user.email).json()
        user_suspend(user=user, actor=None, reason="chargebacks")
        response = login(api, user.email)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "account_suspended"
        refresh = api.post("/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
        assert refresh.status_code == 401
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert api.get("/v1/profile").status_code == 401

    def test_a_suspended_user_with_the_wrong_password_learns_nothing(self, api, user):
        from apps.users.services import user_suspend

        user_suspend(user=user, actor=None, reason="x")
        assert login(api, user.email, "wrong-password").status_code == 401

    def test_refresh_is_refused_even_for_a_token_not_yet_blacklisted(self, api, user):
        tokens = login(api, user.email).json()
        User.objects.filter(pk=user.pk).update(is_suspended=True)
        refresh = api.post("/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
        assert refresh.status_code == 401


class TestProfile:
    def test_get_shows_own_profile(self, auth_api, user):
        body = auth_api.get("/v1/profile").json()
        assert body["email"] == user.email
        assert body["phone"] == "+2348031234567"
        assert "password" not in body

    def test_anonymous_gets_401(self, api):
        assert api.get("/v1/profile").status_code == 401

    def test_patch_names_and_phone_resets_phone_verification(self, auth_api, user):
        User.objects.filter(pk=user.pk).update(phone_verified=True)
        response = auth_api.patch(
            "/v1/profile", {"first_name": "Chi", "phone": "0802 222 3333"}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["first_name"] == "Chi"
        assert body["phone"] == "+2348022223333"
        assert body["phone_verified"] is False

    def test_patch_same_phone_keeps_verification(self, auth_api, user):
        User.objects.filter(pk=user.pk).update(phone_verified=True)
        response = auth_api.patch("/v1/profile", {"phone": "08031234567"}, format="json")
        assert response.json()["phone_verified"] is True

    @pytest.mark.parametrize(
        "payload", [{"email": "new@example.com"}, {"is_staff": True}, {"phone": "12"}]
    )
    def test_patch_refuses_what_cannot_be_changed_here(self, auth_api, user, payload):
        response = auth_api.patch("/v1/profile", payload, format="json")
        assert response.status_code == 400
        assert set(payload) <= set(response.json()["error"]["fields"])
        user.refresh_from_db()
        assert not user.is_staff
        assert user.email != "new@example.com"


class TestExpiredTokens:
    def test_an_expired_access_token_is_401(self, api, user):
        from datetime import timedelta

        from rest_framework_simplejwt.tokens import AccessToken

        token = AccessToken.for_user(user)
        token.set_exp(lifetime=-timedelta(seconds=1))
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = api.get("/v1/profile")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_not_valid"

    def test_an_expired_refresh_token_is_401(self, api, user):
        from datetime import timedelta

        from rest_framework_simplejwt.tokens import RefreshToken

        token = RefreshToken.for_user(user)
        token.set_exp(lifetime=-timedelta(seconds=1))
        response = api.post("/v1/auth/token/refresh", {"refresh": str(token)}, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_not_valid"
