"""Error tracking: Sentry (`SENTRY_DSN`) and/or Highlight (`HIGHLIGHT_PROJECT_ID`).

Both are off unless their variable is set (krogiving/settings.py calls `init_sentry` /
`init_highlight` at the end of the settings, so the web process and the Celery worker,
which loads the same settings, are both covered).

What leaves the process is scrubbed first (`scrub_event`, Sentry's `before_send` and
`before_breadcrumb`):

- headers `Authorization`, `Cookie`, `X-Paystack-Signature` and every cookie;
- any field, at any depth (request body, query, frame locals, extra, breadcrumbs), whose
  name says it holds a secret, a one-time code or card/account data: password, otp,
  code, token, secret, authorization(_code), card, cvv, pan, pin, account_number, ...;
- the whole body of a request to a Paystack path (webhooks carry customer and card data);
- inside free text: bearer tokens, Paystack keys (sk_/pk_live|test_...) and anything
  that passes the Luhn check as a 13-19 digit card number.

Every event is tagged with `request_id`: the id of the request (or, in a task, of the
request that enqueued it) from apps/core/context.py, the same id as in the log lines and
the `X-Request-ID` answer header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

FILTERED = "[Filtered]"

# Field names (lower case) that are filtered wherever they appear.
SENSITIVE_KEYS = frozenset(
    {
        "code",
        "otp",
        "pan",
        "pin",
        "cvv",
        "cvc",
        "bvn",
        "nin",
        "exp_month",
        "exp_year",
        "bin",
        "last4",
        "signature",
    }
)
# ... and any name containing one of these.
SENSITIVE_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "auth_code",
    "api_key",
    "apikey",
    "cookie",
    "session",
    "csrf",
    "card",
    "cvv",
    "account_number",
    "otp_",
    "_otp",
    "private_key",
    "signature",
    "dsn",
)
SENSITIVE_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "x-paystack-signature", "x-csrftoken"}
)
# Request paths whose bodies are never sent (Paystack's webhooks and our Paystack views).
PAYSTACK_PATH = re.compile(r"paystack", re.IGNORECASE)

_BEARER = re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_PAYSTACK_KEY = re.compile(r"\b[sp]k_(?:live|test)_[A-Za-z0-9]+")
_DIGITS = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_KEY_VALUE = re.compile(
    r"(?i)\b(password|otp|code|token|secret|authorization_code|cvv|pin|account_number)"
    r"(\s*[=:]\s*|\"\s*:\s*\"?)([^\s,&\"'}]+)"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _scrub_card_numbers(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return FILTERED if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group(0)


def scrub_text(text: str) -> str:
    """Filter secrets that free text (a message, a log line, a body) may carry."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {FILTERED}", text)
    text = _PAYSTACK_KEY.sub(FILTERED, text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{FILTERED}", text)
    return _DIGITS.sub(_scrub_card_numbers, text)


def is_sensitive_key(key: object) -> bool:
    name = str(key).lower().replace("-", "_")
    return name in SENSITIVE_KEYS or any(part in name for part in SENSITIVE_PARTS)


def scrub(value: Any) -> Any:
    """A copy of `value` with sensitive fields and text filtered, at any depth."""
    if isinstance(value, Mapping):
        return {
            key: FILTERED if is_sensitive_key(key) and item not in (None, "") else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def _scrub_request(request: dict[str, Any]) -> dict[str, Any]:
    request = dict(request)
    headers = request.get("headers")
    if isinstance(headers, Mapping):
        request["headers"] = {
            name: FILTERED if name.lower() in SENSITIVE_HEADERS else scrub(value)
            for name, value in headers.items()
        }
    if request.get("cookies"):
        request["cookies"] = FILTERED
    if "data" in request:
        url = str(request.get("url", ""))
        request["data"] = FILTERED if PAYSTACK_PATH.search(url) else scrub(request["data"])
    if isinstance(request.get("query_string"), str):
        request["query_string"] = scrub_text(
            re.sub(
                r"(?i)([^&=]+)=([^&]*)",
                lambda m: f"{m.group(1)}={FILTERED}" if is_sensitive_key(m.group(1)) else m[0],
                request["query_string"],
            )
        )
    for key in ("env",):
        if key in request:
            request[key] = scrub(request[key])
    return request


def _scrub_frame(frame: Mapping[str, Any]) -> dict[str, Any]:
    """Frame locals by name; source lines as text (a key pasted into code, say)."""
    frame = dict(frame)
    for key in ("vars", "pre_context", "context_line", "post_context"):
        if key in frame:
            frame[key] = scrub(frame[key])
    return frame


def scrub_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event with secrets, one-time codes and card data filtered out."""
    event = dict(event)
    if isinstance(event.get("request"), Mapping):
        event["request"] = _scrub_request(dict(event["request"]))
    for key in ("extra", "contexts", "user", "tags", "logentry", "breadcrumbs"):
        if key in event:
            event[key] = scrub(event[key])
    if "message" in event and isinstance(event["message"], str):
        event["message"] = scrub_text(event["message"])
    exception = event.get("exception")
    if isinstance(exception, Mapping):
        values = []
        for item in exception.get("values") or []:
            item = dict(item)
            if isinstance(item.get("value"), str):
                item["value"] = scrub_text(item["value"])
            stacktrace = item.get("stacktrace")
            if isinstance(stacktrace, Mapping):
                stacktrace = dict(stacktrace)
                stacktrace["frames"] = [
                    _scrub_frame(frame) for frame in stacktrace.get("frames") or []
                ]
                item["stacktrace"] = stacktrace
            values.append(item)
        event["exception"] = {**exception, "values": values}
    threads = event.get("threads")
    if isinstance(threads, Mapping):
        event["threads"] = scrub(threads)
    return event


def _request_id_of(event: Mapping[str, Any]) -> str:
    from apps.core.context import current_request_id

    request_id = current_request_id()
    if request_id == "-":
        headers = (event.get("request") or {}).get("headers") or {}
        request_id = next((str(v) for k, v in headers.items() if k.lower() == "x-request-id"), "-")
    return request_id


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Sentry's `before_send`: tag the request id, then scrub."""
    request_id = _request_id_of(event)
    if request_id != "-":
        event.setdefault("tags", {})
        if isinstance(event["tags"], dict):
            event["tags"]["request_id"] = request_id
        else:  # sentry-sdk may hand tags as a list of pairs
            event["tags"] = [*event["tags"], ["request_id", request_id]]
    return scrub_event(event)


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    scrubbed: dict[str, Any] = scrub(crumb)
    return scrubbed


def init_sentry(
    dsn: str,
    *,
    environment: str,
    release: str = "",
    traces_sample_rate: float = 0.0,
    transport: Any = None,
) -> None:
    """Send errors (Django requests, Celery tasks, ERROR log lines) to Sentry."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "integrations": [
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        # Personal data stays off (sentry-sdk's default: no user emails, addresses or
        # cookies); request bodies only when small, and scrubbed.
        "max_request_body_size": "small",
        "traces_sample_rate": traces_sample_rate,
        # Sentry's own denylist first, ours (scrub_event) last.
        "event_scrubber": EventScrubber(
            denylist=[*DEFAULT_DENYLIST, "otp", "code", "cvv", "pan", "card", "account_number"],
            recursive=True,
        ),
        "before_send": before_send,
        "before_send_transaction": before_send,
        "before_breadcrumb": before_breadcrumb,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)


def init_highlight(
    project_id: str,
    *,
    environment: str,
    service_name: str = "krogiving",
    otlp_endpoint: str = "",
) -> Any:
    """Send errors (Django requests, Celery tasks) to Highlight, through its SDK.

    Only errors: Highlight's automatic instrumentations (every log line, outgoing HTTP
    calls, Redis commands) are left off, since they would ship what we cannot scrub.
    Each error is recorded in a span of its own with the request id, its message and
    stack trace scrubbed like Sentry's (`scrub_text`); no frame locals, no bodies.
    """
    try:
        import highlight_io
        from highlight_io.integrations.all import DEFAULT_INTEGRATIONS
    except ImportError as exc:  # an optional extra
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "HIGHLIGHT_PROJECT_ID is set but highlight-io is not installed: "
            "pip install 'krogiving[highlight]'"
        ) from exc
    from celery import signals as celery_signals
    from django.core import signals as django_signals

    highlight = highlight_io.H(
        project_id,
        integrations=[],
        disabled_integrations=[integration.INTEGRATION_KEY for integration in DEFAULT_INTEGRATIONS],
        instrument_logging=False,
        otlp_endpoint=otlp_endpoint,
        service_name=service_name,
        environment=environment,
    )
    django_signals.got_request_exception.connect(
        _highlight_request_exception, dispatch_uid="krogiving-highlight"
    )
    celery_signals.task_failure.connect(
        _highlight_task_failure, weak=False, dispatch_uid="krogiving-highlight"
    )
    return highlight


def record_highlight_error(exc: BaseException, name: str, attributes: dict[str, Any]) -> None:
    """Record one error in Highlight, scrubbed, tagged with the request id."""
    import traceback

    import highlight_io
    from opentelemetry import trace as otel_trace

    from apps.core.context import current_request_id

    highlight = highlight_io.H.get_instance()
    request_id = current_request_id()
    with highlight.trace(scrub_text(name), request_id=request_id):
        span = otel_trace.get_current_span()
        span.record_exception(
            exc,
            attributes={
                **scrub(attributes),
                "request_id": request_id,
                "exception.message": scrub_text(str(exc)),
                "exception.stacktrace": scrub_text(
                    "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                ),
            },
        )


def _highlight_request_exception(sender: Any, request: Any = None, **_: Any) -> None:
    import sys

    exc = sys.exc_info()[1]
    if exc is None:
        return
    method = getattr(request, "method", "") or ""
    path = getattr(request, "path", "") or ""
    record_highlight_error(exc, f"{method} {path}", {"http.method": method, "http.target": path})


def _highlight_task_failure(
    sender: Any = None, task_id: str | None = None, exception: BaseException | None = None, **_: Any
) -> None:
    if exception is None:
        return
    name = getattr(sender, "name", "task")
    record_highlight_error(exception, name, {"celery.task": name, "celery.task_id": task_id})
