"""Error codes: platform settings.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    CURRENCY_NOT_CONFIGURED = "currency_not_configured"
