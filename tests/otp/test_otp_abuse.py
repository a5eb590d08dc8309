"""Issue 13: /v1/otp/send is no SMS-pumping target. Codes go only to the signed-in
account's own contact, SMS only to configured countries, and the platform sends at most
OTP_GLOBAL_HOURLY_LIMIT codes an hour (tripping it alerts staff once)."""

import logging

import pytest
from django.core.cache import cache

from apps.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def post(client, destination, purpose="verify_email", channel=None, **extra):
    channel = channel or ("email" if "@" in destination else "sms")
    return client.post(
        "/v1/otp/send",
        {"channel": channel, "destination": destination, "purpose": purpose},
        format="json",
        **extra,
    )


def test_without_an_account_nothing_is_sent(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, "+2348031234567", purpose="verify_phone")

    assert response.status_code == 401
    assert not Notification.objects.exists()


def test_a_signed_in_user_cannot_send_to_someone_elses_number(
    auth_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        phone = post(auth_api, "+2348099999999", purpose="verify_phone")
        email = post(auth_api, "victim@example.com")

    assert (phone.status_code, email.status_code) == (403, 403)
    assert phone.json()["error"]["code"] == "otp_not_your_contact"
    assert not Notification.objects.exists()


def test_own_contact_works(auth_api, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(auth_api, "0803 123 4567", purpose="verify_phone")

    assert response.status_code == 202
    assert Notification.objects.get().recipient == user.phone


def test_sms_only_to_configured_countries(api, settings, django_capture_on_commit_callbacks):
    from rest_framework_simplejwt.tokens import RefreshToken

    uk = UserFactory(phone="+447911123456")  # a premium-rate pumping target abroad
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(uk).access_token}")
    with django_capture_on_commit_callbacks(execute=True):
        refused = post(api, "+447911123456", purpose="verify_phone")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "otp_country_not_allowed"
    assert not Notification.objects.exists()

    settings.OTP_SMS_COUNTRIES = ["NG", "+44"]  # a calling code works too
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api, "+447911123456", purpose="verify_phone").status_code == 202


def test_password_reset_sms_keeps_to_the_countries_too(api, django_capture_on_commit_callbacks):
    UserFactory(phone="+447911123456")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/v1/users/password-reset", {"phone": "+447911123456"}, format="json")
    assert response.json()["error"]["code"] == "otp_country_not_allowed"
    assert not Notification.objects.exists()


def test_the_global_hourly_cap_refuses_and_alerts_staff_once(
    api, settings, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    from rest_framework_simplejwt.tokens import RefreshToken

    settings.OTP_GLOBAL_HOURLY_LIMIT = 3
    settings.OTP_HOURLY_LIMIT_PER_CLIENT = 100
    settings.STAFF_ALERT_EMAILS = ["ops@krogiving.test"]
    users = UserFactory.create_batch(5)
    statuses = []
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        for index, user in enumerate(users):
            token = RefreshToken.for_user(user).access_token
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            response = post(api, user.email, REMOTE_ADDR=f"10.3.0.{index + 1}")
            statuses.append((response.status_code, response.json().get("error", {}).get("code")))

    assert statuses == [(202, None)] * 3 + [(429, "otp_global_limit")] * 2
    assert Notification.objects.filter(template="otp_code").count() == 3
    alerts = [r for r in caplog.records if r.getMessage().startswith("ALERT")]
    assert len(alerts) == 1
    staff_mail = [m for m in mailoutbox if m.to == ["ops@krogiving.test"]]
    assert len(staff_mail) == 1
    assert "OTP sending cap" in staff_mail[0].subject
    assert "OTP_GLOBAL_HOURLY_LIMIT=3" in staff_mail[0].body
