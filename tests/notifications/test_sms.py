import json
import logging

import pytest
import requests

from apps.notifications.models import Notification
from apps.notifications.services import notification_deliver, notification_send
from apps.notifications.sms import SmsDeliveryError

from .conftest import TELNYX_TOKEN, TELNYX_URL, TERMII_KEY, TERMII_URL

pytestmark = pytest.mark.django_db

PHONE = "+2348031234567"
CODE = "493817"
TEXT = (
    f"Your KROGiving code is {CODE}. Use it to verify your phone number. "
    "It expires in 10 min. Do not share it."
)


def send_code(capture) -> Notification:
    """Send an OTP by SMS the way the otp app does, running the on-commit task."""
    with capture(execute=True):
        notification = notification_send(
            channel="sms",
            template="otp_code",
            recipient=PHONE,
            context={"purpose_label": "verify your phone number", "minutes": 10},
            secret_context={"code": CODE},
        )
    notification.refresh_from_db()
    return notification


def termii_ok(http, message_id="3017544054459"):
    http.post(
        TERMII_URL,
        json={"code": "ok", "message_id": message_id, "message": "Successfully Sent"},
    )


def telnyx_ok(http, message_id="40385f64-5717-4562-b3fc-2c963f66afa6"):
    http.post(TELNYX_URL, json={"data": {"id": message_id, "record_type": "message"}})


def test_termii_gets_the_documented_request_and_delivers(
    http, termii, settings, django_capture_on_commit_callbacks
):
    settings.SMS_TIMEOUT_SECONDS = 4.5
    termii_ok(http)

    notification = send_code(django_capture_on_commit_callbacks)

    assert len(http.calls) == 1
    request = http.calls[0].request
    assert request.url == TERMII_URL
    assert json.loads(request.body) == {
        "to": "2348031234567",
        "from": "KROGiving",
        "sms": TEXT,
        "type": "plain",
        "channel": "generic",
        "api_key": TERMII_KEY,
    }
    assert request.req_kwargs["timeout"] == 4.5
    assert notification.status == Notification.Status.SENT
    assert notification.provider == "termii"
    assert notification.provider_message_id == "3017544054459"
    assert notification.attempts == 1
    assert notification.error == ""
    assert notification.sent_at is not None


def test_termii_server_error_fails_over_to_telnyx(
    http, termii, telnyx, django_capture_on_commit_callbacks
):
    http.post(TERMII_URL, status=500, json={"message": "Internal server error"})
    telnyx_ok(http)

    notification = send_code(django_capture_on_commit_callbacks)

    assert [call.request.url for call in http.calls] == [TERMII_URL, TELNYX_URL]
    telnyx_request = http.calls[1].request
    assert telnyx_request.headers["Authorization"] == f"Bearer {TELNYX_TOKEN}"
    assert json.loads(telnyx_request.body) == {"from": "+15550001111", "to": PHONE, "text": TEXT}
    assert notification.status == Notification.Status.SENT
    assert notification.provider == "telnyx"
    assert notification.provider_message_id == "40385f64-5717-4562-b3fc-2c963f66afa6"
    assert notification.attempts == 1
    # The admin can see why Telnyx was used.
    assert "termii: HTTP 500" in notification.error


def test_termii_timeout_fails_over_to_telnyx(
    http, termii, telnyx, django_capture_on_commit_callbacks
):
    http.post(TERMII_URL, body=requests.exceptions.ConnectTimeout())
    telnyx_ok(http, message_id="tx-after-timeout")

    notification = send_code(django_capture_on_commit_callbacks)

    assert notification.status == Notification.Status.SENT
    assert notification.provider == "telnyx"
    assert notification.provider_message_id == "tx-after-timeout"
    assert "termii: timed out" in notification.error


def test_termii_answer_without_message_id_fails_over_to_telnyx(
    http, termii, telnyx, django_capture_on_commit_callbacks
):
    http.post(TERMII_URL, json={"code": "ok", "message": "Successfully Sent"})
    telnyx_ok(http, message_id="tx-no-id")

    notification = send_code(django_capture_on_commit_callbacks)

    assert notification.provider == "telnyx"
    assert notification.provider_message_id == "tx-no-id"
    assert "no message_id" in notification.error


def test_both_failing_is_retried_then_left_failed_with_both_errors(
    http, termii, telnyx, django_capture_on_commit_callbacks
):
    http.post(TERMII_URL, status=500, json={"message": "Internal server error"})
    http.post(TELNYX_URL, body=requests.exceptions.ConnectionError())

    notification = send_code(django_capture_on_commit_callbacks)

    # One attempt and five retries (eager in tests), each trying both providers.
    assert notification.attempts == 6
    assert [call.request.url for call in http.calls] == [TERMII_URL, TELNYX_URL] * 6
    assert notification.status == Notification.Status.FAILED
    assert "termii: HTTP 500: Internal server error" in notification.error
    assert "telnyx: request failed (ConnectionError)" in notification.error
    assert notification.sent_at is None
    assert notification.provider == ""


def test_delivery_failure_is_raised_to_the_task(http, termii, telnyx):
    http.post(TERMII_URL, status=503, body="Service Unavailable")
    http.post(TELNYX_URL, status=422, json={"errors": [{"code": "40310", "title": "Invalid 'to'"}]})
    notification = notification_send(
        channel="sms",
        template="otp_code",
        recipient=PHONE,
        context={"purpose_label": "verify your phone number", "minutes": 10},
    )

    with pytest.raises(SmsDeliveryError) as raised:
        notification_deliver(notification_id=str(notification.id), secret_context={"code": CODE})

    assert [error.provider for error in raised.value.errors] == ["termii", "telnyx"]
    assert [error.status_code for error in raised.value.errors] == [503, 422]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 1
    assert "telnyx: HTTP 422: Invalid 'to'" in notification.error


def test_a_failure_then_a_success_on_retry_ends_sent(
    http, termii, django_capture_on_commit_callbacks
):
    http.post(TERMII_URL, status=500, json={"message": "Internal server error"})
    termii_ok(http, message_id="on-retry")

    notification = send_code(django_capture_on_commit_callbacks)

    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert notification.provider_message_id == "on-retry"
    assert "termii: HTTP 500" in notification.error  # the last error is kept


def test_only_telnyx_configured_sends_through_telnyx(
    http, telnyx, django_capture_on_commit_callbacks
):
    telnyx_ok(http, message_id="tx-only")

    notification = send_code(django_capture_on_commit_callbacks)

    assert [call.request.url for call in http.calls] == [TELNYX_URL]
    assert notification.provider == "telnyx"
    assert notification.provider_message_id == "tx-only"
    assert notification.error == ""


def test_no_provider_configured_prints_to_the_console(
    http, capsys, django_capture_on_commit_callbacks
):
    notification = send_code(django_capture_on_commit_callbacks)

    assert len(http.calls) == 0
    out = capsys.readouterr().out
    assert TEXT in out
    assert PHONE in out
    assert notification.status == Notification.Status.SENT
    assert notification.provider == "console"
    assert notification.provider_message_id.startswith("console-")


def test_production_never_prints_codes_to_the_console(
    http, settings, capsys, django_capture_on_commit_callbacks
):
    settings.IS_PRODUCTION = True

    notification = send_code(django_capture_on_commit_callbacks)

    assert CODE not in capsys.readouterr().out
    assert notification.status == Notification.Status.FAILED
    assert "no SMS provider is configured" in notification.error


def test_provider_failures_are_logged_without_key_or_text(http, termii, telnyx, caplog):
    # A provider that echoes the key back must not get it into the logs or the row.
    http.post(TERMII_URL, status=401, json={"message": f"Invalid API key {TERMII_KEY}"})
    http.post(TELNYX_URL, status=401, json={"errors": [{"title": "Authentication failed"}]})
    notification = notification_send(
        channel="sms",
        template="otp_code",
        recipient=PHONE,
        context={"purpose_label": "verify your phone number", "minutes": 10},
    )

    with caplog.at_level(logging.INFO), pytest.raises(SmsDeliveryError):
        notification_deliver(notification_id=str(notification.id), secret_context={"code": CODE})

    warnings = [r for r in caplog.records if r.name == "apps.notifications.sms"]
    assert [(r.provider, r.status_code) for r in warnings] == [("termii", 401), ("telnyx", 401)]
    logged = "\n".join(repr(record.__dict__) for record in caplog.records)
    for secret in (TERMII_KEY, TELNYX_TOKEN, CODE):
        assert secret not in logged
    notification.refresh_from_db()
    assert TERMII_KEY not in notification.error
    assert "Invalid API key ***" in notification.error


# --- issue 13: the exception survives Celery's rebuilding with its message intact --------


def _delivery_error():
    from apps.notifications.sms import SmsProviderError

    return SmsDeliveryError(
        [
            SmsProviderError("termii", "Service Unavailable", status_code=503),
            SmsProviderError("telnyx", "Invalid 'to'", status_code=422),
        ]
    )


MESSAGE = "SMS not delivered: termii: HTTP 503: Service Unavailable; telnyx: HTTP 422: Invalid 'to'"


def test_the_delivery_error_pickles_with_its_message_and_errors_intact():
    import pickle

    error = _delivery_error()
    rebuilt = pickle.loads(pickle.dumps(error))
    assert str(rebuilt) == MESSAGE
    assert rebuilt.args == (MESSAGE,)
    assert repr(rebuilt) == f"SmsDeliveryError({MESSAGE!r})"
    assert [(e.provider, e.reason, e.status_code) for e in rebuilt.errors] == [
        ("termii", "Service Unavailable", 503),
        ("telnyx", "Invalid 'to'", 422),
    ]
    # one provider's error pickles on its own too
    provider = pickle.loads(pickle.dumps(error.errors[1]))
    assert (provider.provider, provider.reason, provider.status_code) == (
        "telnyx",
        "Invalid 'to'",
        422,
    )
    assert str(provider) == "telnyx: HTTP 422: Invalid 'to'"


def test_rebuilt_from_its_arguments_the_message_stays_whole():
    """What Celery's JSON result/event encoding does: `type(exc)(*exc.args)`."""
    error = _delivery_error()
    rebuilt = type(error)(*error.args)
    assert str(rebuilt) == MESSAGE
    assert "S; M; S" not in repr(rebuilt)


def test_a_failed_delivery_task_logs_the_whole_message(http, termii, telnyx, caplog):
    from apps.notifications.tasks import deliver_notification

    http.post(TERMII_URL, status=503, body="Service Unavailable")
    http.post(TELNYX_URL, status=422, json={"errors": [{"code": "40310", "title": "Invalid 'to'"}]})
    notification = notification_send(
        channel="sms",
        template="otp_code",
        recipient=PHONE,
        context={"purpose_label": "verify your phone number", "minutes": 10},
    )
    with caplog.at_level(logging.INFO):
        # its last allowed try: the failure is final and Celery logs it
        result = deliver_notification.apply(
            args=[str(notification.id)], kwargs={"secret_context": {"code": CODE}}, retries=5
        )
    assert result.failed()
    failures = [r for r in caplog.records if r.name == "celery.app.trace" and r.levelno >= 40]
    assert failures, [r.getMessage() for r in caplog.records]
    logged = "\n".join(r.getMessage() for r in failures)
    assert MESSAGE in logged
    assert "S; M; S" not in logged
    assert CODE not in logged
