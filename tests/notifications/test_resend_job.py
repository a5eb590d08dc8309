"""Notifications a lost task left unsent are enqueued again by a scheduled job, at most
once per message; delivered ones are deleted after the retention period."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications.models import Notification
from apps.notifications.services import notification_send
from apps.notifications.tasks import (
    deliver_notification,
    purge_delivered_notifications,
    resend_lost_notifications,
)

from .conftest import SENDGRID_URL

pytestmark = pytest.mark.django_db

RECEIPT = {
    "charged_display": "NGN 5,000.00",
    "campaign_title": "Ada walks again",
}


def _lost(django_capture_on_commit_callbacks, *, template="welcome", **fields) -> Notification:
    """A notification recorded whose on-commit enqueue never happened (a killed worker)."""
    with django_capture_on_commit_callbacks(execute=False):
        notification = notification_send(
            channel="email", template=template, recipient="ada@example.com", **fields
        )
    return notification


def _age(notification: Notification, **delta) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(**delta)
    )


def test_a_receipt_whose_task_was_lost_is_sent_once(django_capture_on_commit_callbacks):
    receipt = _lost(
        django_capture_on_commit_callbacks, template="donation_receipt", context=RECEIPT
    )
    assert resend_lost_notifications.delay().get() == 0  # too fresh: its task may yet run
    _age(receipt, minutes=16)

    assert resend_lost_notifications.delay().get() == 1
    assert resend_lost_notifications.delay().get() == 0

    receipt.refresh_from_db()
    assert receipt.status == "sent" and receipt.requeued_at is not None
    assert [(m.to, m.tags) for m in mail.outbox] == [(["ada@example.com"], ["donation_receipt"])]


def test_a_message_is_re_enqueued_at_most_once_even_if_it_fails_again(
    django_capture_on_commit_callbacks, http, settings
):
    settings.EMAIL_BACKEND = "anymail.backends.sendgrid.EmailBackend"
    settings.ANYMAIL = {"SENDGRID_API_KEY": "SG.test"}
    down = http.post(SENDGRID_URL, status=503, body="down")
    notification = _lost(django_capture_on_commit_callbacks)
    _age(notification, hours=2)

    with pytest.warns(Warning):  # anymail: SendGrid is no longer officially supported
        assert resend_lost_notifications.delay().get() == 1
    # One delivery task, with its own retries (run in place here: eager).
    attempts = down.call_count
    assert attempts == 1 + deliver_notification.max_retries
    for _ in range(3):
        assert resend_lost_notifications.delay().get() == 0

    notification.refresh_from_db()
    assert notification.status == "failed" and "503" in notification.error
    assert down.call_count == attempts


def test_a_live_claim_a_secret_or_a_sent_message_is_left_alone(
    django_capture_on_commit_callbacks,
):
    claimed = _lost(django_capture_on_commit_callbacks)
    Notification.objects.filter(pk=claimed.pk).update(claimed_at=timezone.now())
    code = _lost(
        django_capture_on_commit_callbacks,
        template="otp_code",
        context={"purpose_label": "sign in", "minutes": 10},
        secret_context={"code": "123456"},
    )
    sent = _lost(django_capture_on_commit_callbacks)
    Notification.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    for notification in (claimed, code, sent):
        _age(notification, hours=1)

    assert resend_lost_notifications.delay().get() == 0
    assert mail.outbox == []

    # The claim's lease runs out (its worker died while sending): taken, once.
    Notification.objects.filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=6)
    )
    assert resend_lost_notifications.delay().get() == 1
    assert len(mail.outbox) == 1
    code.refresh_from_db()
    assert code.has_secret_context and code.status == "queued"


def test_delivered_notifications_are_purged_after_the_retention_period(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    old_sent, new_sent, old_failed = (_lost(django_capture_on_commit_callbacks) for _ in range(3))
    Notification.objects.filter(pk=old_sent.pk).update(
        status="sent", sent_at=timezone.now() - timedelta(days=31)
    )
    Notification.objects.filter(pk=new_sent.pk).update(
        status="sent", sent_at=timezone.now() - timedelta(days=29)
    )
    Notification.objects.filter(pk=old_failed.pk).update(status="failed")
    _age(old_failed, days=200)

    assert purge_delivered_notifications.delay().get() == 1
    assert purge_delivered_notifications.delay().get() == 0
    assert set(Notification.objects.values_list("pk", flat=True)) == {new_sent.pk, old_failed.pk}
