"""Error codes: the Paystack client, the webhook intake and the sandbox.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    PAYSTACK_UNAVAILABLE = "paystack_unavailable"
    PAYSTACK_REJECTED = "paystack_rejected"
    FORBIDDEN_SOURCE = "forbidden_source"
    INVALID_SIGNATURE = "invalid_signature"
