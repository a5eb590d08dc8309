"""Error codes: the CMS proxy (`/v1/cms/...`).

What each means and its HTTP status: docs/errors.md. Shared codes (not_found, ...) are
core's (apps/core/errors.py)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    CMS_UNAVAILABLE = "cms_unavailable"
