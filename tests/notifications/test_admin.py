import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.notifications.models import Notification
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/notifications/notification/"


@pytest.fixture
def staff_client() -> Client:
    """A staff member with view permission, signed in with a verified TOTP device."""
    member = StaffFactory(email="ops@krogiving.test")
    member.user_permissions.add(
        Permission.objects.get(codename="view_notification"),
        Permission.objects.get(codename="add_notification"),
        Permission.objects.get(codename="change_notification"),
        Permission.objects.get(codename="delete_notification"),
    )
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    # The session a password + TOTP sign-in leaves. (force_login would go through the
    # axes login signal, which needs a client address the test client does not send.)
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(member.pk),
            BACKEND_SESSION_KEY: "apps.users.backends.EmailBackend",
            HASH_SESSION_KEY: member.get_session_auth_hash(),
            DEVICE_ID_SESSION_KEY: device.persistent_id,
        }
    )
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.fixture
def notifications():
    return [
        Notification.objects.create(
            channel="sms", template="otp_code", recipient="+2348031234567", status="failed"
        ),
        Notification.objects.create(
            channel="email", template="welcome", recipient="ada@example.com", status="sent"
        ),
    ]


def test_staff_list_filters_and_searches_notifications(staff_client, notifications):
    everything = staff_client.get(LIST_URL)
    failed_sms = staff_client.get(LIST_URL, {"status__exact": "failed", "channel__exact": "sms"})
    by_recipient = staff_client.get(LIST_URL, {"q": "ada@example"})

    assert everything.status_code == 200
    assert b"+2348031234567" in everything.content and b"ada@example.com" in everything.content
    assert b"+2348031234567" in failed_sms.content
    assert b"ada@example.com" not in failed_sms.content
    assert b"ada@example.com" in by_recipient.content
    assert b"+2348031234567" not in by_recipient.content


def test_admin_cannot_add_change_or_delete_even_with_permissions(staff_client, notifications):
    notification = notifications[0]
    detail = f"{LIST_URL}{notification.pk}/change/"

    assert staff_client.get(f"{LIST_URL}add/").status_code == 403
    assert staff_client.get(detail).status_code == 200  # view only
    edit = staff_client.post(detail, {"status": "sent", "recipient": "+2348000000000"})
    assert edit.status_code == 403
    assert (
        staff_client.post(f"{LIST_URL}{notification.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )

    notification.refresh_from_db()
    assert notification.status == "failed"
    assert notification.recipient == "+2348031234567"
