"""Error codes: currencies and exchange rates.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    UNKNOWN_CURRENCY = "unknown_currency"
    INVALID_RATE = "invalid_rate"
    NOT_MANUAL_RATE = "not_manual_rate"
    EXCHANGE_RATE_UNAVAILABLE = "exchange_rate_unavailable"
    EXCHANGE_RATE_STALE = "exchange_rate_stale"
    EXCHANGE_RATE_MISSING = "exchange_rate_missing"
