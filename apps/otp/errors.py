"""Error codes: one-time codes.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    OTP_COOLDOWN = "otp_cooldown"
    OTP_HOURLY_LIMIT = "otp_hourly_limit"
    OTP_EXPIRED = "otp_expired"
    OTP_INVALID = "otp_invalid"
    OTP_ATTEMPTS_EXCEEDED = "otp_attempts_exceeded"
    OTP_NOT_YOUR_CONTACT = "otp_not_your_contact"
    OTP_COUNTRY_NOT_ALLOWED = "otp_country_not_allowed"
    OTP_GLOBAL_LIMIT = "otp_global_limit"
