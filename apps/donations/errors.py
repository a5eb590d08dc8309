"""Error codes: donations and refunds (codes the app answers today).

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    CAMPAIGN_NOT_FOUND = "campaign_not_found"
    CAMPAIGN_NOT_ACCEPTING_DONATIONS = "campaign_not_accepting_donations"
    AMOUNT_TOO_SMALL = "amount_too_small"
    AMOUNT_TOO_LARGE = "amount_too_large"
    EXCHANGE_RATE_CHANGING = "exchange_rate_changing"
    DONATION_NOT_REFUNDABLE = "donation_not_refundable"
    DONATION_OFFLINE = "donation_offline"
    NOTHING_TO_REFUND = "nothing_to_refund"
    REFUND_TOO_LARGE = "refund_too_large"
    PAYSTACK_REFUND_FAILED = "paystack_refund_failed"
    IMPORT_CHANGED = "import_changed"
