import datetime as dt

from django.db.models import QuerySet

from .models import AdminLog


def admin_log_list(
    *,
    action: str = "",
    actor_email: str = "",
    target_type: str = "",
    target_id: str = "",
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
) -> QuerySet[AdminLog]:
    """Entries newest first; `created_from` is inclusive, `created_before` exclusive."""
    entries = AdminLog.objects.order_by("-sequence")
    if action:
        entries = entries.filter(action=action)
    if actor_email:
        entries = entries.filter(actor_email=actor_email.strip().lower())
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if created_from is not None:
        entries = entries.filter(created_at__gte=created_from)
    if created_before is not None:
        entries = entries.filter(created_at__lt=created_before)
    return entries
