from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: rows are written by the delivery service only."""

    list_display = (
        "created_at",
        "channel",
        "template",
        "recipient",
        "status",
        "provider",
        "attempts",
        "sent_at",
    )
    list_filter = ("channel", "status", "template", "provider")
    search_fields = ("recipient",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    list_select_related = ("user",)
    fields = (
        "id",
        "channel",
        "template",
        "recipient",
        "user",
        "status",
        "provider",
        "provider_message_id",
        "attempts",
        "claimed_at",
        "error",
        "context",
        "created_at",
        "updated_at",
        "sent_at",
    )
    readonly_fields = fields
