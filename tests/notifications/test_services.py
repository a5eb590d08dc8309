import json

import pytest
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.db import transaction

from apps.notifications.models import Notification
from apps.notifications.services import notification_deliver, notification_send
from apps.notifications.tasks import deliver_notification

from .conftest import SENDGRID_URL

pytestmark = pytest.mark.django_db

CODE = "582046"


def send(capture, **kwargs) -> Notification:
    with capture(execute=True):
        notification = notification_send(**kwargs)
    notification.refresh_from_db()
    return notification


def test_welcome_email_is_rendered_as_text_and_html_from_the_sender(
    user, settings, django_capture_on_commit_callbacks
):
    user.first_name = "Chiamaka"
    notification = send(
        django_capture_on_commit_callbacks,
        channel="email",
        template="welcome",
        recipient=user.email,
        context={"first_name": user.first_name},
        user=user,
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Welcome to KROGiving"
    assert (
        message.from_email == settings.DEFAULT_FROM_EMAIL == "KROGiving <no-reply@krogiving.local>"
    )
    assert message.to == [user.email]
    assert message.body.startswith("Hi Chiamaka,\n\nWelcome to KROGiving.")
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<p" in html and "Hi Chiamaka," in html
    assert message.anymail_test_params["tags"] == ["welcome"]
    assert message.anymail_test_params["metadata"] == {"notification_id": str(notification.id)}

    assert notification.status == Notification.Status.SENT
    assert notification.provider == "test"
    assert notification.provider_message_id == "0"
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.user == user


def test_text_parts_are_not_html_escaped_but_the_html_part_is(django_capture_on_commit_callbacks):
    send(
        django_capture_on_commit_callbacks,
        channel="email",
        template="password_changed",
        recipient="ada@example.com",
        context={"first_name": "O'Brien <Ade>"},
    )

    message = mail.outbox[0]
    assert message.subject == "Your KROGiving password was changed"
    assert "Hi O'Brien <Ade>," in message.body
    assert "Hi O&#x27;Brien &lt;Ade&gt;," in message.alternatives[0][0]


def test_subject_is_one_line(django_capture_on_commit_callbacks):
    send(
        django_capture_on_commit_callbacks,
        channel="email",
        template="otp_code",
        recipient="ada@example.com",
        context={"purpose_label": "reset your password", "minutes": 10},
        secret_context={"code": CODE},
    )

    assert mail.outbox[0].subject == "Your KROGiving verification code"


def test_secret_code_is_delivered_but_never_stored(django_capture_on_commit_callbacks):
    notification = send(
        django_capture_on_commit_callbacks,
        channel="email",
        template="otp_code",
        recipient="ada@example.com",
        context={"purpose_label": "reset your password", "minutes": 10},
        secret_context={"code": CODE},
    )

    message = mail.outbox[0]
    assert f"Your KROGiving code is {CODE}." in message.body
    assert "Use it to reset your password. It expires in 10 minutes." in message.body
    assert CODE in message.alternatives[0][0]
    row = Notification.objects.values().get(pk=notification.id)
    assert row["context"] == {"purpose_label": "reset your password", "minutes": 10}
    assert CODE not in json.dumps(row, default=str)


def test_secret_code_never_reaches_the_logs_on_the_way(caplog, django_capture_on_commit_callbacks):
    with caplog.at_level("INFO"):
        send(
            django_capture_on_commit_callbacks,
            channel="email",
            template="otp_code",
            recipient="ada@example.com",
            context={"purpose_label": "reset your password", "minutes": 10},
            secret_context={"code": CODE},
        )

    assert CODE in mail.outbox[0].body
    assert any(r.name == "celery.app.trace" for r in caplog.records)  # the task did log
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    assert CODE not in logged


def test_a_secret_looking_key_in_the_stored_context_is_refused():
    with pytest.raises(ValueError, match="secret_context"):
        notification_send(
            channel="email",
            template="otp_code",
            recipient="ada@example.com",
            context={"code": CODE, "purpose_label": "reset your password", "minutes": 10},
        )
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("channel", "template", "recipient", "message"),
    [
        ("pigeon", "welcome", "ada@example.com", "channel"),
        ("email", "no_such_template", "ada@example.com", "no subject.txt"),
        ("sms", "welcome", "+2348031234567", "no sms.txt"),
        ("email", "../otp_code", "ada@example.com", "template name"),
        ("email", "welcome", "not-an-address", "valid address"),
        ("sms", "otp_code", "08031234567", "E.164"),
    ],
)
def test_programming_errors_raise_value_error_and_write_nothing(
    channel, template, recipient, message, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValueError, match=message),
    ):
        notification_send(channel=channel, template=template, recipient=recipient)

    assert callbacks == []
    assert not Notification.objects.exists()


def test_nothing_is_enqueued_before_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_send(
            channel="email", template="welcome", recipient="ada@example.com"
        )
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert Notification.objects.get(pk=notification.id).status == Notification.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(channel="email", template="welcome", recipient="ada@example.com")
        raise RuntimeError("the registration failed after all")

    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_message_goes_out_when_the_transaction_commits():
    with transaction.atomic():
        notification = notification_send(
            channel="email", template="welcome", recipient="ada@example.com"
        )
        assert mail.outbox == []

    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_delivering_an_already_sent_notification_again_sends_nothing(
    django_capture_on_commit_callbacks,
):
    notification = send(
        django_capture_on_commit_callbacks,
        channel="email",
        template="welcome",
        recipient="ada@example.com",
    )
    assert len(mail.outbox) == 1

    deliver_notification.delay(str(notification.id), {})
    again = notification_deliver(notification_id=str(notification.id), secret_context={})

    assert len(mail.outbox) == 1
    assert again.status == Notification.Status.SENT
    notification.refresh_from_db()
    assert notification.attempts == 1


# Anymail 13+ warns that SendGrid is no longer officially supported; it still works.
sendgrid_warning = pytest.mark.filterwarnings(
    "ignore::anymail.exceptions.AnymailNotSupportedWarning"
)


@sendgrid_warning
def test_sendgrid_delivery_records_the_message_id(
    http, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "anymail.backends.sendgrid.EmailBackend"
    settings.ANYMAIL = {"SENDGRID_API_KEY": "SG.test"}
    http.post(SENDGRID_URL, status=202, body="", headers={"X-Message-Id": "sg-queue-id-123"})

    notification = send(
        django_capture_on_commit_callbacks,
        channel="email",
        template="otp_code",
        recipient="ada@example.com",
        context={"purpose_label": "verify your email address", "minutes": 10},
        secret_context={"code": CODE},
    )

    [call] = http.calls
    assert call.request.headers["Authorization"] == "Bearer SG.test"
    payload = json.loads(call.request.body)
    assert payload["from"] == {"email": "no-reply@krogiving.local", "name": "KROGiving"}
    assert payload["subject"] == "Your KROGiving verification code"
    assert [part["type"] for part in payload["content"]] == ["text/plain", "text/html"]
    assert all(CODE in part["value"] for part in payload["content"])
    personalization = payload["personalizations"][0]
    assert personalization["to"] == [{"email": "ada@example.com"}]
    assert notification.status == Notification.Status.SENT
    assert notification.provider == "sendgrid"
    # Anymail's id for the message: SendGrid's events carry it back as custom_args.
    assert notification.provider_message_id == personalization["custom_args"]["anymail_id"]
    assert notification.provider_message_id


@sendgrid_warning
def test_sendgrid_refusal_is_recorded_without_the_key_and_raised(http, settings):
    settings.EMAIL_BACKEND = "anymail.backends.sendgrid.EmailBackend"
    settings.ANYMAIL = {"SENDGRID_API_KEY": "SG.test"}
    http.post(
        SENDGRID_URL,
        status=401,
        json={"errors": [{"message": "The provided authorization grant is invalid"}]},
    )
    notification = notification_send(
        channel="email", template="welcome", recipient="ada@example.com"
    )

    with pytest.raises(AnymailAPIError):
        notification_deliver(notification_id=str(notification.id), secret_context={})

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 1
    assert "SendGrid API response 401" in notification.error
    assert "authorization grant is invalid" in notification.error
    assert "SG.test" not in notification.error
