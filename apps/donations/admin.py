from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Donation, DonationEvent, DonationRefund, DonorAggregate

# Donations change only through their services (settlement, refunds).


class DonationEventInline(admin.TabularInline):
    """The donation's timeline, oldest first: read-only, as history never changes."""

    model = DonationEvent
    verbose_name = "timeline entry"
    verbose_name_plural = "Timeline"
    fields = ("created_at", "type", "source", "actor", "data")
    readonly_fields = fields
    ordering = ("id",)
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "campaign",
        "email",
        "status",
        "charged_amount",
        "currency",
        "needs_review",
        "created_at",
    )
    list_filter = ("status", "needs_review", "currency")
    search_fields = ("reference", "email", "name")
    raw_id_fields = ("campaign", "donor")
    inlines = (DonationEventInline,)


@admin.register(DonationRefund)
class DonationRefundAdmin(ReadOnlyAdmin):
    list_display = ("donation", "amount", "currency", "status", "requested_by", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("donation", "requested_by")


@admin.register(DonorAggregate)
class DonorAggregateAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "display_name", "anonymous", "total", "donation_count")
    raw_id_fields = ("campaign",)
