from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import BankAccount, Withdrawal, WithdrawalEvent

# Withdrawals change only through their services (request, cancel, approve, transfer).


class WithdrawalEventInline(admin.TabularInline):
    """The withdrawal's timeline, oldest first: read-only, as history never changes."""

    model = WithdrawalEvent
    verbose_name = "timeline entry"
    verbose_name_plural = "Timeline"
    fields = ("created_at", "type", "source", "actor", "data")
    readonly_fields = fields
    ordering = ("id",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "campaign",
        "amount",
        "currency",
        "status",
        "transfer_status",
        "needs_review",
        "created_at",
    )
    list_filter = ("status", "needs_review", "currency")
    search_fields = ("reference", "transfer_code", "requested_by__email")
    raw_id_fields = ("campaign", "requested_by", "reviewed_by", "bank_account")
    inlines = (WithdrawalEventInline,)


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ("owner", "bank_name", "masked_number", "account_name", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("owner__email", "account_name", "account_last4")
    exclude = ("account_fingerprint",)
    raw_id_fields = ("owner",)
