"""Error codes: the ledger.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    LEDGER_REFERENCE_CONFLICT = "ledger_reference_conflict"
    RAISED_AMOUNT_TOO_LOW = "raised_amount_too_low"
