import json
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin

from .models import AdminLog


def _json(value) -> str:
    if value is None:
        return "-"
    return format_html(
        "<pre style='margin:0;white-space:pre-wrap'>{}</pre>",
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str),
    )


@admin.register(AdminLog)
class AdminLogAdmin(ReadOnlyAdmin):
    """Read-only: nobody adds, changes or deletes history here, superusers included.

    Filter by actor, action and target type in the sidebar; the actor and target of a
    row link to every entry of that actor or that target (`?target_type=&target_id=`).
    """

    list_display = ("sequence", "created_at", "actor_link", "action", "target_link")
    list_display_links = ("sequence",)
    list_filter = (
        "action",
        "target_type",
        ("actor", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("actor_email", "action", "target_type", "target_id")
    search_help_text = "Search by actor email, action, target type or target id."
    ordering = ("-sequence",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_select_related = ("actor",)
    fields = (
        "sequence",
        "created_at",
        "actor",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "before_json",
        "after_json",
        "ip_address",
        "user_agent",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def _filtered(self, **params) -> str:
        return f"{reverse('admin:audit_adminlog_changelist')}?{urlencode(params)}"

    @admin.display(description="actor", ordering="actor_email")
    def actor_link(self, obj: AdminLog) -> str:
        if obj.actor_id is None:
            return obj.actor_email or "system"
        return format_html(
            '<a href="{}" title="Every entry of this actor">{}</a>',
            self._filtered(actor__id__exact=obj.actor_id),
            obj.actor_email or obj.actor_id,
        )

    @admin.display(description="target")
    def target_link(self, obj: AdminLog) -> str:
        return format_html(
            '<a href="{}" title="Every entry of this target">{} {}</a>',
            self._filtered(target_type=obj.target_type, target_id=obj.target_id),
            obj.target_type,
            obj.target_id,
        )

    @admin.display(description="before")
    def before_json(self, obj: AdminLog) -> str:
        return _json(obj.before)

    @admin.display(description="after")
    def after_json(self, obj: AdminLog) -> str:
        return _json(obj.after)
