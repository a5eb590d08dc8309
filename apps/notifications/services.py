"""Email and SMS notifications: record, enqueue after commit, render, deliver.

`notification_send` is what other apps call. It writes a `Notification` row (queued)
and, once the surrounding transaction commits, enqueues `deliver_notification`, which
calls `notification_deliver`. Templates live in `templates/notifications/<name>/`:
`subject.txt`, `body.txt` and `body.html` for email, `sms.txt` for SMS.

`secret_context` (one-time codes, ...) is never stored or logged: it goes to the task
only and is merged into the template context there.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .models import Notification
from .sms import send_sms

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger(__name__)

TEMPLATE_PARTS: dict[str, tuple[str, ...]] = {
    Notification.Channel.EMAIL: ("subject.txt", "body.txt", "body.html"),
    Notification.Channel.SMS: ("sms.txt",),
}
# Names that mean a secret: they belong in secret_context, never in the stored context.
SECRET_CONTEXT_KEYS = frozenset({"code", "otp", "password", "token", "secret"})
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ERROR_MAX = 2000
# How long a delivery run owns a notification; a claim older than this (a worker that died
# while sending) can be taken over. Far longer than a provider call with its failover.
DELIVERY_LEASE = timedelta(minutes=5)


def _template_path(template: str, part: str) -> str:
    return f"notifications/{template}/{part}"


def _validate(
    *,
    channel: str,
    template: str,
    recipient: str,
    context: dict[str, Any],
    secret_context: dict[str, Any],
) -> None:
    if channel not in TEMPLATE_PARTS:
        raise ValueError(f"Unknown notification channel {channel!r}.")
    if not _TEMPLATE_NAME.match(template or ""):
        raise ValueError(f"Invalid notification template name {template!r}.")
    for part in TEMPLATE_PARTS[channel]:
        try:
            get_template(_template_path(template, part))
        except TemplateDoesNotExist as exc:
            raise ValueError(
                f"Template {template!r} has no {part} for the {channel} channel."
            ) from exc
    if channel == Notification.Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError as exc:
            raise ValueError("The email recipient is not a valid address.") from exc
    elif not _E164.match(recipient or ""):
        raise ValueError("The SMS recipient must be an E.164 number, such as +2348031234567.")
    leaked = SECRET_CONTEXT_KEYS & set(context)
    if leaked:
        raise ValueError(f"Pass {sorted(leaked)} in secret_context, not in context.")
    try:
        json.dumps(secret_context)
    except TypeError as exc:
        raise ValueError("secret_context must be JSON-serialisable.") from exc


def notification_send(
    *,
    channel: str,
    template: str,
    recipient: str,
    context: dict[str, Any] | None = None,
    secret_context: dict[str, Any] | None = None,
    user: User | None = None,
) -> Notification:
    """Record a notification and deliver it by a task once the transaction commits.

    Raises ValueError for a programming error: unknown channel or template, a malformed
    recipient, or a secret-looking key in `context`.
    """
    context = dict(context or {})
    secret_context = dict(secret_context or {})
    _validate(
        channel=channel,
        template=template,
        recipient=recipient,
        context=context,
        secret_context=secret_context,
    )
    notification = Notification.objects.create(
        channel=channel,
        template=template,
        recipient=recipient,
        context=context,
        user=user,
        has_secret_context=bool(secret_context),
    )
    transaction.on_commit(partial(_enqueue_delivery, str(notification.id), secret_context))
    return notification


def _enqueue_delivery(notification_id: str, secret_context: dict[str, Any]) -> None:
    """On-commit callback: enqueue the task; a broker failure is recorded, not raised."""
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id, secret_context)
    except Exception as exc:
        logger.exception("notification not enqueued", extra={"notification_id": notification_id})
        Notification.objects.filter(pk=notification_id, status=Notification.Status.QUEUED).update(
            status=Notification.Status.FAILED,
            error=f"could not enqueue delivery: {type(exc).__name__}: {exc}"[:_ERROR_MAX],
            updated_at=timezone.now(),
        )


@dataclass(frozen=True)
class _Delivery:
    provider: str
    message_id: str
    note: str = ""  # providers that failed before one took the message


def _render_context(notification: Notification, secret_context: dict[str, Any]) -> dict[str, Any]:
    return {
        "site_name": "KROGiving",
        "front_end_url": settings.FRONT_END_URL,
        **notification.context,
        **secret_context,
    }


def _email_provider_name(connection: object) -> str:
    """`sendgrid`, `mailersend`, ... for anymail; `console`, `smtp`, ... for Django's."""
    esp_name = getattr(connection, "esp_name", None)
    if esp_name:
        return str(esp_name).lower()
    return type(connection).__module__.rsplit(".", 1)[-1]


def _deliver_email(notification: Notification, context: dict[str, Any]) -> _Delivery:
    def render(part: str) -> str:
        return render_to_string(_template_path(notification.template, part), context)

    connection = get_connection(fail_silently=False)
    message = EmailMultiAlternatives(
        subject=" ".join(render("subject.txt").split()),
        body=render("body.txt").strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        connection=connection,
    )
    message.attach_alternative(render("body.html"), "text/html")
    # Anymail passes these on to the ESP (ignored by Django's own backends).
    message.tags = [notification.template]  # type: ignore[attr-defined]
    message.metadata = {"notification_id": str(notification.id)}  # type: ignore[attr-defined]
    message.send()
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    return _Delivery(
        provider=_email_provider_name(connection),
        message_id="" if message_id is None else str(message_id),
    )


def _deliver_sms(notification: Notification, context: dict[str, Any]) -> _Delivery:
    text = render_to_string(_template_path(notification.template, "sms.txt"), context).strip()
    result = send_sms(notification.recipient, text)
    return _Delivery(
        provider=result.provider,
        message_id=result.message_id,
        note="; ".join(str(error) for error in result.failed_over),
    )


def _claim(notification_id: str) -> datetime | None:
    """Take the notification for delivery; the claim's timestamp, or None if not ours.

    A conditional UPDATE, not a row lock held while sending: it takes a notification that
    is not sent and has no live claim (none, or one older than DELIVERY_LEASE: a run that
    died while sending).
    """
    now = timezone.now()
    taken = (
        Notification.objects.filter(pk=notification_id)
        .exclude(status=Notification.Status.SENT)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - DELIVERY_LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    return now if taken else None


def _send(notification: Notification, secret_context: dict[str, Any]) -> _Delivery:
    context = _render_context(notification, secret_context)
    if notification.channel == Notification.Channel.EMAIL:
        return _deliver_email(notification, context)
    return _deliver_sms(notification, context)


def _record_sent(notification: Notification, delivery: _Delivery) -> None:
    """The message went out: record it, whoever holds the claim now (a run that took an
    expired claim over must not send it again)."""
    now = timezone.now()
    # Keep the last error (an earlier attempt's) unless this one failed over.
    error = (delivery.note or notification.error)[:_ERROR_MAX]
    values = {
        "status": Notification.Status.SENT,
        "provider": delivery.provider,
        "provider_message_id": delivery.message_id[:255],
        "error": error,
        "sent_at": now,
        "claimed_at": None,
        "updated_at": now,
    }
    recorded = (
        Notification.objects.filter(pk=notification.pk)
        .exclude(status=Notification.Status.SENT)
        .update(**values)
    )
    # Recorded: the row is what we wrote (no read back, issue 15); else another run's.
    if recorded:
        for field, value in values.items():
            setattr(notification, field, value)
    else:
        notification.refresh_from_db()


def _record_failed(notification: Notification, claimed_at: datetime, error: str) -> None:
    """The attempt failed: record it unless another run has taken the claim over since."""
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk, claimed_at=claimed_at).update(
        status=Notification.Status.FAILED,
        error=error[:_ERROR_MAX],
        claimed_at=None,
        updated_at=now,
    )


def notification_deliver(*, notification_id: str, secret_context: dict[str, Any]) -> Notification:
    """Render and send one notification, recording the outcome on its row.

    Safe to run twice: a notification already sent is not sent again, and a run that
    finds another run delivering it (a live claim) returns without sending. No row lock
    or transaction is held while the provider is called: the row is claimed by a
    conditional UPDATE first, the outcome recorded after. A failure is recorded (status
    failed, error) and then re-raised so that the task retries. Raises
    Notification.DoesNotExist for an unknown id.
    """
    claimed_at = _claim(notification_id)
    notification = Notification.objects.get(pk=notification_id)
    log_extra = {
        "notification_id": notification_id,
        "channel": notification.channel,
        "template": notification.template,
        "attempt": notification.attempts,
    }
    if claimed_at is None:
        if notification.status == Notification.Status.SENT:
            logger.info("notification already sent", extra=log_extra)
        else:
            logger.info("notification being delivered by another run", extra=log_extra)
        return notification
    try:
        delivery = _send(notification, secret_context or {})
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        _record_failed(notification, claimed_at, error)
        notification.refresh_from_db()
        logger.warning(
            "notification delivery failed: %s",
            type(exc).__name__,
            extra={**log_extra, "error": notification.error},
        )
        raise
    _record_sent(notification, delivery)
    logger.info("notification sent", extra={**log_extra, "provider": notification.provider})
    return notification


# --- recovery and retention (scheduled jobs) ------------------------------------------


def notifications_resend_lost(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Enqueue again, once, notifications a lost task left unsent; how many were enqueued.

    Taken: queued or failed, created more than `older_than` ago
    (NOTIFICATION_RESEND_AFTER_MINUTES), no live delivery claim, never re-enqueued, and
    not carrying a secret (a one-time code is not stored, so it cannot be sent again;
    it would have expired anyway). Each is marked `requeued_at` by a conditional UPDATE
    before it is enqueued, so two runs never both enqueue it and no run enqueues it a
    second time. Delivery itself claims the row, so a task that was only slow and a
    re-enqueued one never both send.
    """
    if older_than is None:
        older_than = timedelta(minutes=settings.NOTIFICATION_RESEND_AFTER_MINUTES)
    now = timezone.now()
    candidates = (
        Notification.objects.filter(
            status__in=[Notification.Status.QUEUED, Notification.Status.FAILED],
            requeued_at__isnull=True,
            has_secret_context=False,
            created_at__lt=now - older_than,
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - DELIVERY_LEASE))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for notification_id in list(candidates):
        taken = Notification.objects.filter(pk=notification_id, requeued_at__isnull=True).update(
            requeued_at=now, updated_at=now
        )
        if not taken:
            continue
        logger.info("notification re-enqueued", extra={"notification_id": str(notification_id)})
        _enqueue_delivery(str(notification_id), {})
        enqueued += 1
    return enqueued


def notifications_purge_delivered(*, older_than_days: int | None = None) -> int:
    """Delete sent notifications older than NOTIFICATION_RETENTION_DAYS; how many went.
    Unsent ones are kept: they are what staff look at when something went wrong."""
    days = settings.NOTIFICATION_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = Notification.objects.filter(
        status=Notification.Status.SENT, sent_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted


def staff_alert_recipients() -> list[str]:
    """STAFF_ALERT_EMAILS when set; otherwise every active superuser and member of the
    Superadmins group."""
    configured = [a.strip() for a in settings.STAFF_ALERT_EMAILS if a.strip()]
    if configured:
        return sorted(set(configured), key=str.lower)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    addresses = (
        users.filter(Q(is_superuser=True) | Q(groups__name="Superadmins"))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(addresses), key=str.lower)


def staff_alert_send(
    *, check: str, summary: str, details: str = "", headline: str = ""
) -> list[Notification]:
    """Email every staff alert recipient that a nightly check failed (or, with
    `headline`, of another alarm: the email then names `headline`, not a nightly check)."""
    sent = []
    for address in staff_alert_recipients():
        sent.append(
            notification_send(
                channel=Notification.Channel.EMAIL,
                template="staff_alert",
                recipient=address,
                context={
                    "check": check,
                    "summary": summary,
                    "details": details[:20000],
                    **({"headline": headline} if headline else {}),
                },
            )
        )
    if not sent:
        logger.error("staff alert has no recipient", extra={"check": check, "summary": summary})
    return sent
