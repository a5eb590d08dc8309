from django.contrib import admin, messages

from apps.core.admin import ReadOnlyAdmin

from .models import PaystackCall, PaystackEvent
from .services import paystack_events_replay


class _ReadOnly(ReadOnlyAdmin):
    """Rows are written by the client and the webhook intake only."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(PaystackCall)
class PaystackCallAdmin(_ReadOnly):
    list_display = (
        "created_at",
        "operation",
        "method",
        "path",
        "reference",
        "status_code",
        "ok",
        "attempts",
        "duration_ms",
        "sandbox",
    )
    list_filter = ("ok", "operation", "sandbox")
    search_fields = ("reference", "path", "request_id")
    date_hierarchy = "created_at"


@admin.register(PaystackEvent)
class PaystackEventAdmin(_ReadOnly):
    list_display = (
        "received_at",
        "event_type",
        "reference",
        "outcome",
        "attempts",
        "deliveries",
        "processed_at",
    )
    list_filter = ("outcome", "event_type")
    search_fields = ("reference", "paystack_id", "body_sha256")
    date_hierarchy = "received_at"
    actions = ["apply_again"]

    @admin.action(
        description="Apply the selected events again (pending, failed, ignored)",
        permissions=["apply"],
    )
    def apply_again(self, request, queryset):
        counts = paystack_events_replay(
            outcomes=["pending", "failed", "ignored"],
            event_ids=[str(pk) for pk in queryset.values_list("pk", flat=True)],
            max_attempts=None,
        )
        summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items())) or "nothing to apply"
        self.message_user(request, f"Events applied again: {summary}.", messages.INFO)

    def has_apply_permission(self, request) -> bool:
        # Rows stay read-only; the model's change permission lets staff re-apply events.
        return request.user.has_perm("payments.change_paystackevent")
