import logging

from celery import Task, shared_task
from django.core.exceptions import ObjectDoesNotExist

from apps.core.jobs import scheduled_job

from .services import (
    notification_deliver,
    notifications_purge_delivered,
    notifications_resend_lost,
)

TASK_NAME = "notifications.deliver_notification"
_HIDDEN = "'<secret_context hidden>'"


class _SecretArgsTask(Task):
    """Shows the secret context as hidden in Celery's log lines and monitoring events.

    Applies to every publish of the task, retries included. Eagerly run tasks never
    pass through here; `HideSecretArgsFilter` covers their log lines.
    """

    def apply_async(self, args=None, kwargs=None, **options):
        if args:
            shown = [repr(args[0]), *(_HIDDEN for _ in args[1:])]
            options.setdefault("argsrepr", f"({', '.join(shown)})")
        if kwargs:
            named = {k: (_HIDDEN if k == "secret_context" else repr(v)) for k, v in kwargs.items()}
            options.setdefault(
                "kwargsrepr", "{" + ", ".join(f"{k!r}: {v}" for k, v in named.items()) + "}"
            )
        return super().apply_async(args, kwargs, **options)


@shared_task(
    base=_SecretArgsTask,
    name=TASK_NAME,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ObjectDoesNotExist,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def deliver_notification(notification_id: str, secret_context: dict | None = None) -> str:
    """Deliver one notification; retried with backoff, safe to run twice."""
    notification = notification_deliver(
        notification_id=notification_id, secret_context=secret_context or {}
    )
    return notification.status


class HideSecretArgsFilter(logging.Filter):
    """Hides this task's arguments in Celery's trace log lines (eager runs log them raw)."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        if isinstance(data, dict) and data.get("name") == TASK_NAME:
            # `data` is also the %-args of the message: one change covers both.
            for key in ("args", "kwargs"):
                if key in data:
                    data[key] = _HIDDEN
        return True


@scheduled_job("notifications.resend_lost", time_limit=300)
def resend_lost_notifications() -> int:
    """Notifications left queued or failed by a lost task: enqueued again, once each."""
    return notifications_resend_lost()


@scheduled_job("notifications.purge_delivered", time_limit=600)
def purge_delivered_notifications() -> int:
    """Sent notifications older than NOTIFICATION_RETENTION_DAYS are deleted."""
    return notifications_purge_delivered()
