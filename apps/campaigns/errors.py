"""Error codes: campaigns, comments and media.

What each means and its HTTP status: docs/errors.md. Shared codes (validation_error,
not_found, ...) are core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    UNKNOWN_CATEGORY = "unknown_category"
    CURRENCY_DISABLED = "currency_disabled"
    CURRENCY_LOCKED = "currency_locked"
    CAMPAIGN_INCOMPLETE = "campaign_incomplete"
    INVALID_TRANSITION = "invalid_transition"
    OWN_CAMPAIGN = "own_campaign"
    FIELD_NOT_EDITABLE = "field_not_editable"
    END_DATE_PASSED = "end_date_passed"
    END_DATE_NOT_PASSED = "end_date_not_passed"
    COMMENTS_CLOSED = "comments_closed"
    INVALID_FILE = "invalid_file"
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
    INVALID_IMAGE = "invalid_image"
    IMAGE_TOO_LARGE = "image_too_large"
    FILE_TOO_LARGE = "file_too_large"
    DIRECT_UPLOAD_UNAVAILABLE = "direct_upload_unavailable"
    UPLOAD_MISSING = "upload_missing"
    TOO_MANY_MEDIA = "too_many_media"
