"""Error codes: accounts, sign-in and tokens.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE = "duplicate"
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_LOCKED = "account_locked"
    LOGIN_DELAYED = "login_delayed"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_DISABLED = "account_disabled"
    NOT_STAFF = "not_staff"
    OTP_DEVICE_MISSING = "otp_device_missing"
    INVALID_OTP = "invalid_otp"
    # Raised by simplejwt (Bearer authentication, token refresh) and passed through.
    TOKEN_NOT_VALID = "token_not_valid"
    BAD_AUTHORIZATION_HEADER = "bad_authorization_header"
    USER_NOT_FOUND = "user_not_found"
    USER_INACTIVE = "user_inactive"
    PASSWORD_CHANGED = "password_changed"
    CANNOT_SUSPEND_SELF = "cannot_suspend_self"
