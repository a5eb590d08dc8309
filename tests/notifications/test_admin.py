import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.notifications.models import Notification
from tests.factories import StaffFactory
from tests.staff import console_client

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
    return console_client(member)


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
