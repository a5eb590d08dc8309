"""Delivery claims the row with a lease and sends outside any transaction (real threads,
PostgreSQL; providers faked at the HTTP layer)."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.notifications.models import Notification
from apps.notifications.services import DELIVERY_LEASE, notification_deliver
from apps.notifications.sms import SmsDeliveryError
from tests.concurrency import run_in_threads

from .conftest import SENDGRID_URL, TERMII_URL

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "318275"


def sms(**fields) -> Notification:
    return Notification.objects.create(
        channel="sms",
        template="otp_code",
        recipient="+2348031234567",
        context={"purpose_label": "verify your phone number", "minutes": 10},
        **fields,
    )


def row_as_another_connection_sees_it(pk) -> dict:
    """Read the row from a fresh connection, and try to lock it without waiting."""
    seen: dict = {}

    def look() -> None:
        try:
            with transaction.atomic():
                row = Notification.objects.select_for_update(nowait=True).get(pk=pk)
                seen.update(locked=False, status=row.status, claimed_at=row.claimed_at)
        except DatabaseError:
            seen["locked"] = True
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(timeout=30)
    return seen


def test_concurrent_runs_send_once_with_no_lock_or_transaction_held_while_sending(http, termii):
    notification = sms()
    calls, during = [], []

    def slow_termii(request):
        # Runs in the delivering thread, while the provider is being called.
        during.append(
            {
                "in_transaction": connection.in_atomic_block,
                **row_as_another_connection_sees_it(notification.pk),
            }
        )
        calls.append(json.loads(request.body))
        time.sleep(0.3)  # the other runs arrive while this one is sending
        return 200, {}, json.dumps({"message_id": "termii-once"})

    http.add_callback("POST", TERMII_URL, callback=slow_termii)

    results, errors = run_in_threads(
        6,
        lambda _: (
            notification_deliver(
                notification_id=str(notification.id), secret_context={"code": CODE}
            ).status
        ),
    )

    assert errors == []
    assert len(calls) == 1
    assert CODE in calls[0]["sms"]
    [seen] = during
    assert seen["in_transaction"] is False
    assert seen["locked"] is False  # another connection could lock the row at once
    assert seen["status"] == Notification.Status.QUEUED
    assert seen["claimed_at"] is not None  # ...and saw the claim
    # A run that came after the send returns it as sent; one still racing, as queued.
    assert set(results) <= {Notification.Status.SENT, Notification.Status.QUEUED}
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.provider == "termii"
    assert notification.provider_message_id == "termii-once"
    assert notification.claimed_at is None


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
def test_concurrent_email_runs_send_once_outside_any_transaction(http, settings):
    settings.EMAIL_BACKEND = "anymail.backends.sendgrid.EmailBackend"
    settings.ANYMAIL = {"SENDGRID_API_KEY": "SG.test"}
    notification = Notification.objects.create(
        channel="email", template="welcome", recipient="ada@example.com"
    )
    during = []

    def slow_sendgrid(request):
        during.append(
            {
                "in_transaction": connection.in_atomic_block,
                **row_as_another_connection_sees_it(notification.pk),
            }
        )
        time.sleep(0.3)
        return 202, {"X-Message-Id": "sg-once"}, ""

    http.add_callback("POST", SENDGRID_URL, callback=slow_sendgrid)

    _, errors = run_in_threads(
        4, lambda _: notification_deliver(notification_id=str(notification.id), secret_context={})
    )

    assert errors == []
    assert len(http.calls) == 1
    assert during == [
        {
            "in_transaction": False,
            "locked": False,
            "status": Notification.Status.QUEUED,
            "claimed_at": during[0]["claimed_at"],
        }
    ]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.provider == "sendgrid"
    assert notification.attempts == 1


def test_a_live_claim_is_left_alone(http, termii):
    claimed_at = timezone.now() - DELIVERY_LEASE + timedelta(minutes=1)
    notification = sms(claimed_at=claimed_at, attempts=1)

    again = notification_deliver(notification_id=str(notification.id), secret_context={})

    assert len(http.calls) == 0
    assert again.status == Notification.Status.QUEUED
    notification.refresh_from_db()
    assert notification.claimed_at == claimed_at
    assert notification.attempts == 1


def test_a_claim_older_than_the_lease_is_taken_over(http, termii):
    notification = sms(
        claimed_at=timezone.now() - DELIVERY_LEASE - timedelta(seconds=1), attempts=1
    )
    http.post(TERMII_URL, json={"message_id": "taken-over"})

    delivered = notification_deliver(
        notification_id=str(notification.id), secret_context={"code": CODE}
    )

    assert len(http.calls) == 1
    assert delivered.status == Notification.Status.SENT
    assert delivered.provider_message_id == "taken-over"
    assert delivered.attempts == 2
    assert delivered.claimed_at is None


def test_a_sent_notification_is_not_sent_again_even_with_an_expired_claim(http, termii):
    notification = sms(
        status=Notification.Status.SENT,
        claimed_at=timezone.now() - DELIVERY_LEASE - timedelta(hours=1),
        attempts=1,
    )

    again = notification_deliver(notification_id=str(notification.id), secret_context={})

    assert len(http.calls) == 0
    assert again.status == Notification.Status.SENT
    assert again.attempts == 1


def test_a_failed_attempt_releases_the_claim_so_a_retry_can_send(http, termii, settings):
    settings.TELNYX_AUTH_TOKEN = ""  # no failover: Termii's refusal fails the attempt
    notification = sms()
    http.post(TERMII_URL, status=500, json={"message": "upstream down"})

    with pytest.raises(SmsDeliveryError):
        notification_deliver(notification_id=str(notification.id), secret_context={})

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.claimed_at is None
    assert notification.attempts == 1

    http.replace("POST", TERMII_URL, json={"message_id": "second-time"})
    delivered = notification_deliver(notification_id=str(notification.id), secret_context={})

    assert delivered.status == Notification.Status.SENT
    assert delivered.attempts == 2
    assert delivered.provider_message_id == "second-time"
