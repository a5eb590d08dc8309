from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import AdminLog


@admin.register(AdminLog)
class AdminLogAdmin(ReadOnlyAdmin):
    """Read-only: nobody adds, changes or deletes history here, superusers included."""

    list_display = ("sequence", "created_at", "actor_email", "action", "target_type", "target_id")
    list_filter = (
        "action",
        "target_type",
        ("actor", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("actor_email", "action", "target_type", "target_id")
    ordering = ("-sequence",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "sequence",
        "created_at",
        "actor",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "before",
        "after",
        "ip_address",
        "user_agent",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields
