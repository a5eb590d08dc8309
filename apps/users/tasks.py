from datetime import timedelta

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from apps.core.jobs import scheduled_job


@scheduled_job("apps.users.tasks.flush_expired_tokens", time_limit=600)
def flush_expired_tokens() -> None:
    """Drop outstanding and blacklisted refresh tokens that have expired anyway."""
    call_command("flushexpiredtokens")


@scheduled_job("apps.users.tasks.purge_old_login_failures", time_limit=600)
def purge_old_login_failures(days: int = 30) -> int:
    """Forget failed sign-in records older than `days` (they only matter for lockouts)."""
    from axes.models import AccessAttempt, AccessFailureLog

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


@shared_task(name="users.password_reset_code_send")
def password_reset_code_send(channel: str, destination: str) -> bool:
    """Send a password-reset code if an account has this contact (after the request
    answered the same 202 either way)."""
    from .services import user_password_reset_code_deliver

    return user_password_reset_code_deliver(channel=channel, destination=destination)
