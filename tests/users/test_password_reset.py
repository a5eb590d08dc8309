import re

import pytest
from django.contrib.auth import get_user_model

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "a-Brand-new-secret-77"


def _code_from(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def request_reset(api, capture, **contact):
    with capture(execute=True):
        return api.post("/v1/users/password-reset", contact, format="json")


def test_reset_by_email_code_changes_the_password_and_revokes_tokens(
    api, user, mailoutbox, django_capture_on_commit_callbacks
):
    old = api.post(
        "/v1/users/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    response = request_reset(api, django_capture_on_commit_callbacks, email=user.email)
    assert response.status_code == 202
    code = _code_from(mailoutbox)
    assert code not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirm = api.post(
            "/v1/users/password-reset/confirm",
            {"email": user.email, "code": code, "new_password": NEW_PASSWORD},
            format="json",
        )
    assert confirm.status_code == 200
    assert (
        api.post(
            "/v1/users/login", {"email": user.email, "password": NEW_PASSWORD}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.post("/v1/auth/token/refresh", {"refresh": old["refresh"]}, format="json").status_code
        == 401
    )
    assert mailoutbox[-1].to == [user.email]
    assert "password" in mailoutbox[-1].subject.lower()


def test_reset_by_sms_to_the_accounts_phone(api, user, django_capture_on_commit_callbacks, capsys):
    from apps.notifications.models import Notification

    type(user).objects.filter(pk=user.pk).update(phone_verified=True)
    response = request_reset(api, django_capture_on_commit_callbacks, phone="0803 123 4567")
    assert response.status_code == 202
    sms = Notification.objects.get(channel="sms")
    assert sms.recipient == "+2348031234567"
    assert sms.status == "sent"


def test_an_unverified_phone_gets_no_reset_code(api, user, django_capture_on_commit_callbacks):
    """Whoever owns a number an account typed but never verified cannot take it over."""
    from apps.notifications.models import Notification

    assert not user.phone_verified
    response = request_reset(api, django_capture_on_commit_callbacks, phone="0803 123 4567")
    assert response.status_code == 202
    assert not Notification.objects.filter(channel="sms").exists()


def test_unknown_account_gets_the_same_answer_and_no_message(
    api, db, mailoutbox, django_capture_on_commit_callbacks
):
    response = request_reset(api, django_capture_on_commit_callbacks, email="ghost@example.com")
    assert response.status_code == 202
    assert mailoutbox == []


def test_a_weak_new_password_does_not_use_up_the_code(
    api, user, mailoutbox, django_capture_on_commit_callbacks
):
    request_reset(api, django_capture_on_commit_callbacks, email=user.email)
    code = _code_from(mailoutbox)
    weak = api.post(
        "/v1/users/password-reset/confirm",
        {"email": user.email, "code": code, "new_password": "123"},
        format="json",
    )
    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["fields"]
    good = api.post(
        "/v1/users/password-reset/confirm",
        {"email": user.email, "code": code, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert good.status_code == 200


def test_a_wrong_code_changes_nothing(api, user, mailoutbox, django_capture_on_commit_callbacks):
    request_reset(api, django_capture_on_commit_callbacks, email=user.email)
    code = _code_from(mailoutbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = api.post(
        "/v1/users/password-reset/confirm",
        {"email": user.email, "code": wrong, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_email_and_phone_together_are_refused(api, user):
    response = api.post(
        "/v1/users/password-reset", {"email": user.email, "phone": user.phone}, format="json"
    )
    assert response.status_code == 400
