from datetime import timedelta

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone


@shared_task
def flush_expired_tokens() -> None:
    """Drop outstanding and blacklisted refresh tokens that have expired anyway."""
    call_command("flushexpiredtokens")


@shared_task
def purge_old_login_failures(days: int = 30) -> int:
    """Forget failed sign-in records older than `days` (they only matter for lockouts)."""
    from axes.models import AccessAttempt, AccessFailureLog

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted
