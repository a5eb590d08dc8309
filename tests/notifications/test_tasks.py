import json
import time

import pytest
from celery.signals import before_task_publish
from kombu import Connection

from apps.notifications.models import Notification
from apps.notifications.services import notification_deliver
from apps.notifications.tasks import deliver_notification
from tests.concurrency import run_in_threads

from .conftest import TERMII_URL

CODE = "730514"


@pytest.fixture
def published():
    """Publishes for real (to an in-memory broker) and collects each task message."""
    conf = deliver_notification.app.conf
    eager = conf.task_always_eager
    messages = []

    def collect(headers=None, body=None, **_):
        messages.append({"headers": headers, "body": body})

    conf.task_always_eager = False
    before_task_publish.connect(collect, weak=False)
    try:
        with Connection("memory://") as broker:
            yield messages, broker.Producer()
    finally:
        before_task_publish.disconnect(collect)
        conf.task_always_eager = eager


def test_task_message_shows_the_id_but_hides_the_secret_context(published):
    messages, producer = published

    deliver_notification.apply_async(args=["3f0c5c1e", {"code": CODE}], producer=producer)
    deliver_notification.apply_async(
        kwargs={"notification_id": "3f0c5c1e", "secret_context": {"code": CODE}},
        producer=producer,
    )

    assert len(messages) == 2
    for message in messages:
        shown = message["headers"]["argsrepr"] + message["headers"]["kwargsrepr"]
        assert "3f0c5c1e" in shown
        assert CODE not in shown
    # The worker still gets the real arguments.
    assert messages[0]["body"][0] == ["3f0c5c1e", {"code": CODE}]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_send_once(http, termii):
    calls = []

    def slow_termii(request):
        calls.append(json.loads(request.body))
        time.sleep(0.3)  # the second delivery arrives while the first is sending
        return 200, {}, json.dumps({"message_id": "only-once"})

    http.add_callback("POST", TERMII_URL, callback=slow_termii)
    # A queued row whose task was delivered twice (acks_late, a lost worker, ...).
    notification = Notification.objects.create(
        channel="sms",
        template="otp_code",
        recipient="+2348031234567",
        context={"purpose_label": "verify your phone number", "minutes": 10},
    )
    _, errors = run_in_threads(
        2,
        lambda _: notification_deliver(
            notification_id=str(notification.id), secret_context={"code": CODE}
        ),
    )

    assert errors == []
    assert len(calls) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.provider_message_id == "only-once"
