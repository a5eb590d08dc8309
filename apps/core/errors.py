"""One error shape for the whole API.

Every error answer, from a view, the exception handler or Django's own 404/500
handlers, is::

    {"error": {"code": "validation_error",
               "message": "email: Enter a valid email address.",
               "fields": {"email": ["Enter a valid email address."]},
               "request_id": "3f0c..."}}

`fields` is present only where particular input fields are at fault. `code` is stable
and machine-readable; `message` is for a developer reading it.

Every code is declared once, in the `ErrorCode` enum of the app that answers it
(`apps/<app>/errors.py`; core's shared codes below) and documented for client
developers in docs/errors.md; tests/core/test_error_codes.py checks both.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .context import current_request_id

logger = logging.getLogger(__name__)


class ErrorCode(StrEnum):
    """The shared codes: the error classes' defaults, DRF's refusals as we name them,
    and Django's own error pages. Meanings and statuses: docs/errors.md."""

    INVALID_REQUEST = "invalid_request"
    VALIDATION_ERROR = "validation_error"
    INVALID_AMOUNT = "invalid_amount"
    MALFORMED_REQUEST = "malformed_request"
    BAD_REQUEST = "bad_request"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    UPSTREAM_ERROR = "upstream_error"
    ERROR = "error"
    # Idempotency-Key on money-moving POSTs (apps/core/idempotency.py).
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_IN_PROGRESS = "idempotency_key_in_progress"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    # A list endpoint's query names a parameter it does not read (apps/core/query.py).
    UNKNOWN_PARAMETER = "unknown_parameter"


class ApplicationError(Exception):
    """A refusal a service raises; the API turns it into the error shape."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "invalid_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.fields = fields
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class InvalidInput(ApplicationError):
    code = "validation_error"


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class RateLimited(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class UpstreamError(ApplicationError):
    status_code = status.HTTP_502_BAD_GATEWAY
    code = "upstream_error"


def error_body(
    code: str,
    message: str,
    fields: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    if extra:
        error.update(extra)
    error["request_id"] = current_request_id()
    return {"error": error}


def _first_message(detail: Any, path: str = "") -> str:
    """`field.sub: message` of the first error in a DRF detail structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                return _first_message(value, path)
            return _first_message(value, f"{path}.{key}" if path else str(key))
        return ""
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                return _first_message(value, f"{path}[{index}]" if path else str(index))
            return f"{path}: {value}" if path else str(value)
        return ""
    return f"{path}: {detail}" if path else str(detail)


def _as_plain(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(key): _as_plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_as_plain(value) for value in detail]
    return str(detail)


_DRF_CODES = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering in the one error shape."""
    if isinstance(exc, ApplicationError):
        refusal = Response(
            error_body(exc.code, exc.message, exc.fields, exc.extra), status=exc.status_code
        )
        if isinstance(exc, RateLimited):
            refusal["Retry-After"] = str(exc.retry_after)
        return refusal
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        exc = exceptions.ValidationError(fields or exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler answers, and logs it

    code = next(
        (value for klass, value in _DRF_CODES.items() if isinstance(exc, klass)),
        getattr(exc, "default_code", "error"),
    )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    fields = None
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            non_field = detail.get("non_field_errors")
            fields = {k: v for k, v in _as_plain(detail).items() if k != "non_field_errors"}
            message = _first_message(non_field) if non_field else _first_message(detail)
        else:
            message = _first_message(detail)
    elif isinstance(detail, dict):
        # simplejwt answers {"detail": ..., "code": ..., "messages": [...]}
        message = str(detail.get("detail", "")) or _first_message(detail)
        code = str(detail.get("code", code))
    else:
        message = str(detail)
        code = getattr(detail, "code", None) or code
        if code in {
            "not_authenticated",
            "authentication_failed",
            "permission_denied",
            "not_found",
            "method_not_allowed",
            "parse_error",
            "throttled",
        }:
            code = _DRF_CODES.get(type(exc), code)
    # The stubs leave out Throttled.wait, which DRF sets in __init__.
    wait = exc.wait if isinstance(exc, exceptions.Throttled) else None  # type: ignore[attr-defined]
    if wait is not None:
        extra["retry_after"] = int(wait + 0.999)
    response.data = error_body(code, message, fields, extra)
    return response


def _json_error(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(400, "bad_request", "The request could not be understood.")


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(403, "permission_denied", "You do not have permission to do this.")


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(404, "not_found", f"Nothing is found at {request.path}.")


def handler500(request: HttpRequest) -> JsonResponse:
    return _json_error(
        500,
        "server_error",
        "Something went wrong on our side. It has been logged; quote the request_id.",
    )
