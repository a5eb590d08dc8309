from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, TimelineInline
from apps.currency.admin_display import money_column

from .models import BankAccount, WithdrawalEvent

# Withdrawals change only through their services (request, cancel, approve, transfer).
# The withdrawal pages are registered by apps.payouts.admin, which adds the queue and
# the approval, rejection and transfer-OTP steps (payouts sit above withdrawals).


class WithdrawalEventInline(TimelineInline):
    model = WithdrawalEvent
    parent_permission = "withdrawals.view_withdrawal"


WITHDRAWAL_LIST: tuple[str, ...] = (
    "reference",
    "campaign",
    "amount_display",
    "status",
    "transfer_status",
    "needs_review",
    "created_at",
)

WITHDRAWAL_FIELDS: tuple[str, ...] = (
    "reference",
    "campaign",
    "requested_by",
    "bank_account",
    "amount_display",
    "status",
    "transfer_status",
    "transfer_code",
    "needs_review",
    "reviewed_by",
    "reviewed_at",
    "rejection_reason",
    "failure_reason",
    "created_at",
    "status_changed_at",
    "completed_at",
)


class WithdrawalAdmin(ReadOnlyAdmin):
    """A withdrawal's page, read-only, money formatted; its timeline below."""

    list_display = WITHDRAWAL_LIST
    list_filter = ("status", "needs_review", "currency")
    search_fields = ("reference", "transfer_code", "requested_by__email", "campaign__title")
    list_select_related = ("campaign", "requested_by")
    fields = WITHDRAWAL_FIELDS
    readonly_fields = WITHDRAWAL_FIELDS
    inlines = (WithdrawalEventInline,)

    amount_display = money_column("amount", label="Amount")


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ("owner", "bank_name", "masked_number", "account_name", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("owner__email", "account_name", "account_last4")
    exclude = ("account_fingerprint",)
    raw_id_fields = ("owner",)
