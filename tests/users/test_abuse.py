"""Issue 13: lockout is no weapon, and accounts cannot be discovered through the
password reset or a phone number someone typed in without verifying it."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.notifications.models import Notification
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OWN = "10.7.7.7"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def login(api, email, password=DEFAULT_PASSWORD, ip=OWN):
    return api.post(
        "/v1/users/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


class TestLockoutIsNoWeapon:
    def attack(self, api, user):
        for index in range(settings.AXES_FAILURE_LIMIT + 2):
            assert login(api, user.email, "guess-guess", ip=f"10.0.0.{index + 1}").status_code in (
                401,
                429,
            )

    def test_the_owner_still_signs_in_from_their_own_address(self, api, user):
        assert login(api, user.email).status_code == 200  # the owner's usual address

        self.attack(api, user)

        assert login(api, user.email).status_code == 200

    def test_from_a_new_address_the_owner_waits_seconds_not_minutes(self, api, user, settings):
        settings.LOGIN_DELAY_BASE_SECONDS = 1
        settings.LOGIN_DELAY_MAX_SECONDS = 1
        self.attack(api, user)

        delayed = login(api, user.email, ip="10.8.8.8")
        assert delayed.status_code == 429
        assert delayed.json()["error"]["code"] == "login_delayed"
        assert int(delayed["Retry-After"]) <= 1
        time.sleep(1.1)
        assert login(api, user.email, ip="10.8.8.8").status_code == 200

    def test_the_delay_grows_with_each_failure(self, api, user, settings):
        from apps.users.lockout import account_delay_seconds

        limit = settings.LOGIN_DELAY_AFTER_FAILURES
        delays = [account_delay_seconds(n) for n in range(limit - 1, limit + 8)]
        assert delays[0] == 0
        assert delays[1:] == sorted(delays[1:]) and delays[1] < delays[-1]
        assert delays[-1] == settings.LOGIN_DELAY_MAX_SECONDS

    def test_a_brute_force_from_one_address_is_still_locked(self, api, user):
        assert login(api, user.email, ip=OWN).status_code == 200  # the owner's usual address
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert login(api, user.email, "guess-guess", ip="10.6.6.6").status_code == 401
        assert login(api, user.email, "guess-guess", ip="10.6.6.6").status_code == 429
        locked = login(api, user.email, ip="10.6.6.6")
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "account_locked"
        assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
        # ... and the owner, from their usual address, is not.
        assert login(api, user.email, ip=OWN).status_code == 200


class TestPasswordResetTimingIsFlat:
    def request(self, api, capture, **contact):
        with CaptureQueriesContext(connection) as queries, capture(execute=False) as callbacks:
            response = api.post("/v1/users/password-reset", contact, format="json")
        return response, len(queries.captured_queries), callbacks

    def test_existing_and_unknown_accounts_do_the_same_work(
        self, api, user, django_capture_on_commit_callbacks
    ):
        known = self.request(api, django_capture_on_commit_callbacks, email=user.email)
        unknown = self.request(api, django_capture_on_commit_callbacks, email="nobody@example.com")

        assert known[0].status_code == unknown[0].status_code == 202
        assert known[0].json() == unknown[0].json()
        # The same queries (none looks the account up) and one deferred task each.
        assert known[1] == unknown[1]
        assert len(known[2]) == len(unknown[2]) == 1
        assert not Notification.objects.exists()

    def test_the_task_sends_only_to_an_existing_account(
        self, api, user, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/v1/users/password-reset", {"email": user.email}, format="json")
            api.post("/v1/users/password-reset", {"email": "nobody@example.com"}, format="json")
        assert [m.to for m in mailoutbox] == [[user.email]]


class TestAnUnverifiedPhoneBlocksNobody:
    def test_the_real_owner_registers_with_it(self, api):
        squatter = UserFactory(phone="+2348031234567", phone_verified=False)
        response = api.post(
            "/v1/users/register",
            {
                "email": "owner@example.com",
                "password": "a-Strong-secret-99",
                "first_name": "Real",
                "last_name": "Owner",
                "phone": "08031234567",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["user"]["phone"] == "+2348031234567"
        squatter.refresh_from_db()
        assert squatter.phone is None

    def test_a_profile_can_take_it_too(self, auth_api, user):
        squatter = UserFactory(phone="+2348022223333", phone_verified=False)
        response = auth_api.patch("/v1/profile", {"phone": "0802 222 3333"}, format="json")
        assert response.status_code == 200
        squatter.refresh_from_db()
        assert squatter.phone is None

    def test_a_verified_phone_still_belongs_to_its_owner(self, auth_api):
        owner = UserFactory(phone="+2348022223333", phone_verified=True)
        response = auth_api.patch("/v1/profile", {"phone": "0802 222 3333"}, format="json")
        assert response.status_code == 400
        owner.refresh_from_db()
        assert owner.phone == "+2348022223333"
