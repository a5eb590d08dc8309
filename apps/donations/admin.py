from django.contrib import admin

from .models import Donation, DonationRefund, DonorAggregate


class _ReadOnly(admin.ModelAdmin):
    """Donations change only through their services (settlement, refunds)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Donation)
class DonationAdmin(_ReadOnly):
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


@admin.register(DonationRefund)
class DonationRefundAdmin(_ReadOnly):
    list_display = ("donation", "amount", "currency", "status", "requested_by", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("donation", "requested_by")


@admin.register(DonorAggregate)
class DonorAggregateAdmin(_ReadOnly):
    list_display = ("campaign", "display_name", "anonymous", "total", "donation_count")
    raw_id_fields = ("campaign",)
