from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Donation, DonationRefund, DonorAggregate

# Donations change only through their services (settlement, refunds).


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


@admin.register(DonationRefund)
class DonationRefundAdmin(ReadOnlyAdmin):
    list_display = ("donation", "amount", "currency", "status", "requested_by", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("donation", "requested_by")


@admin.register(DonorAggregate)
class DonorAggregateAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "display_name", "anonymous", "total", "donation_count")
    raw_id_fields = ("campaign",)
