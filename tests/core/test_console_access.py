"""The staff console's sign-in (password + TOTP in one step), enrolment and lockout."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AdminLog
from apps.notifications.models import Notification
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.users.conftest import totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def member():
    return StaffFactory(email="member@krogiving.test", is_superuser=True)


def sign_in(client: Client, email: str, code: str = "", password: str = DEFAULT_PASSWORD, **extra):
    return client.post(
        LOGIN,
        {"username": email, "password": password, "otp_token": code, "next": "/admin/", **extra},
    )


def is_signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_the_sign_in_page_asks_for_email_password_and_code_only():
    page = Client().get(LOGIN).content.decode()

    assert 'name="username"' in page and 'name="password"' in page
    assert 'name="otp_token"' in page
    assert 'name="otp_device"' not in page


def test_one_device_signs_in_on_the_first_try(member):
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    client = Client()

    response = sign_in(client, "Member@KROGiving.test", totp_code(device))

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert is_signed_in(client)
    assert "Please select a device" not in client.get("/admin/").content.decode()


def test_a_wrong_code_is_refused_without_a_device_list(member):
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    client = Client()

    response = sign_in(client, member.email, totp_code(device, offset_steps=20))

    page = response.content.decode()
    assert response.status_code == 200
    assert "That code is wrong" in page
    assert 'name="otp_device"' not in page
    assert not is_signed_in(client)


def test_no_code_asks_for_one(member):
    TOTPDevice.objects.create(user=member, name="phone", confirmed=True)

    response = sign_in(Client(), member.email, "")

    assert "Enter the 6-digit code" in response.content.decode()


def test_a_wrong_password_is_refused_before_the_code(member):
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)

    response = sign_in(Client(), member.email, totp_code(device), password="nope-nope-nope")

    assert "correct email and password" in response.content.decode()


def test_several_devices_show_the_list_then_the_chosen_one_signs_in(member):
    phone = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=member, name="tablet", confirmed=True)
    client = Client()

    first = sign_in(client, member.email, totp_code(phone))

    page = first.content.decode()
    assert 'name="otp_device"' in page
    assert ">phone</option>" in page and ">tablet</option>" in page
    assert "more than one authenticator" in page
    assert not is_signed_in(client)

    second = sign_in(client, member.email, totp_code(phone), otp_device=phone.persistent_id)

    assert second.status_code == 302
    assert is_signed_in(client)


def test_a_non_staff_account_cannot_sign_in():
    user = UserFactory(email="donor@krogiving.test")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = sign_in(Client(), user.email, "123456")

    assert response.status_code == 200
    assert "staff account" in response.content.decode()


class TestEnrolment:
    def test_no_device_is_sent_to_enrol_with_a_local_qr_code(self, member):
        client = Client()

        response = sign_in(client, member.email)

        assert response.status_code == 302 and response["Location"] == "/admin/enrol/"
        assert not is_signed_in(client)
        page = client.get("/admin/enrol/").content.decode()
        assert '<svg role="img" class="console-qr"' in page
        assert "<path" in page
        assert "http" not in re.sub(
            r'xmlns="http://www.w3.org/2000/svg"', "", page.split("<svg")[1]
        )
        device = TOTPDevice.objects.get(user=member)
        assert not device.confirmed
        assert re.sub(r"\s", "", re.search(r'id="totp-secret">([^<]+)<', page)[1]) in (
            device.config_url
        )

    def test_reloading_the_page_keeps_the_same_secret(self, member):
        client = Client()
        sign_in(client, member.email)
        client.get("/admin/enrol/")
        key = TOTPDevice.objects.get(user=member).key

        client.get("/admin/enrol/")

        assert list(TOTPDevice.objects.filter(user=member).values_list("key", flat=True)) == [key]

    def test_the_first_right_code_confirms_the_device_and_signs_in(self, member):
        client = Client()
        sign_in(client, member.email)
        client.get("/admin/enrol/")
        device = TOTPDevice.objects.get(user=member)

        response = client.post("/admin/enrol/", {"otp_token": totp_code(device)})

        assert response.status_code == 302 and response["Location"] == "/admin/"
        device.refresh_from_db()
        assert device.confirmed
        assert is_signed_in(client)
        entry = AdminLog.objects.get(action="user.totp_enrol")
        assert entry.actor == member and entry.target_id == str(member.pk)
        # the member hears of it: a stolen password could have done this
        told = Notification.objects.get(template="authenticator_added")
        assert told.recipient == member.email

    def test_a_wrong_code_confirms_nothing(self, member):
        client = Client()
        sign_in(client, member.email)
        client.get("/admin/enrol/")
        device = TOTPDevice.objects.get(user=member)

        response = client.post("/admin/enrol/", {"otp_token": totp_code(device, offset_steps=20)})

        assert response.status_code == 200
        assert "The code is wrong or expired" in response.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        assert not is_signed_in(client)

    def test_the_page_needs_the_password_step(self, member):
        response = Client().get("/admin/enrol/")

        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        assert not TOTPDevice.objects.filter(user=member).exists()

    def test_a_member_with_a_device_cannot_enrol_another(self, member):
        device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
        client = Client()

        response = sign_in(client, member.email)  # no code: asked for one, not sent to enrol

        assert response.status_code == 200
        assert client.get("/admin/enrol/").status_code == 302
        assert list(TOTPDevice.objects.filter(user=member)) == [device]


class TestTotpEnrollCommand:
    def test_enrols_a_confirmed_device_and_prints_its_url(self, member, capsys):
        call_command("totp_enroll", member.email)

        device = TOTPDevice.objects.get(user=member)
        assert device.confirmed and device.name == "authenticator"
        assert device.config_url in capsys.readouterr().out

    def test_enrolling_again_replaces_the_device_of_that_name(self, member):
        call_command("totp_enroll", member.email)
        first = TOTPDevice.objects.get(user=member).key

        call_command("totp_enroll", member.email)

        assert [d.key != first for d in TOTPDevice.objects.filter(user=member)] == [True]

    def test_reset_removes_every_device_so_the_member_enrols_again(self, member):
        TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
        TOTPDevice.objects.create(user=member, name="tablet", confirmed=True)

        call_command("totp_enroll", member.email, "--reset")

        assert not TOTPDevice.objects.filter(user=member).exists()
        assert AdminLog.objects.filter(action="user.totp_reset").count() == 1
        assert sign_in(Client(), member.email)["Location"] == "/admin/enrol/"

    def test_refuses_a_non_staff_account(self):
        from django.core.management.base import CommandError

        user = UserFactory(email="donor@krogiving.test")
        with pytest.raises(CommandError, match="not staff"):
            call_command("totp_enroll", user.email)


class TestLockout:
    def test_repeated_wrong_passwords_lock_the_console_sign_in(self, member, settings):
        settings.AXES_FAILURE_LIMIT = 3
        device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
        for _ in range(3):
            sign_in(Client(), member.email, "000000", password="wrong-password-1")

        locked = sign_in(Client(), member.email, totp_code(device))

        assert locked.status_code == 429
        assert "Too many failed sign-in attempts" in locked.content.decode()
        assert locked["Content-Type"].startswith("text/html")

    def test_wrong_codes_count_towards_the_lockout(self, member, settings):
        settings.AXES_FAILURE_LIMIT = 3
        device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
        for step in range(3):
            sign_in(Client(), member.email, totp_code(device, offset_steps=20 + step))

        locked = sign_in(Client(), member.email, totp_code(device))

        assert locked.status_code == 429

    def test_console_failures_lock_the_api_sign_in_of_the_same_account(self, member, settings, api):
        settings.AXES_FAILURE_LIMIT = 3
        settings.LOGIN_DELAY_AFTER_FAILURES = 3
        for _ in range(3):
            sign_in(Client(), member.email.upper(), "000000", password="wrong-password-1")

        response = api.post(
            "/v1/users/login",
            {"email": member.email, "password": DEFAULT_PASSWORD},
            format="json",
            REMOTE_ADDR="10.9.9.9",
        )

        # Issue 13: from another address the account is delayed (seconds), not locked.
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "login_delayed"
