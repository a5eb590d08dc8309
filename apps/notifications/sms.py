"""SMS providers: Termii first, Telnyx when Termii fails, the console when neither is set.

Each provider is called over its REST API with `requests`. A non-2xx answer, a timeout,
a connection error or an answer without a message id is a failure of that provider, and
the next one is tried; `send_sms` raises `SmsDeliveryError` only when every configured
provider failed. Log lines name the provider, the HTTP status and a short reason; never
the API key, the destination or the text.
"""

from __future__ import annotations

import logging
import sys
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

_REASON_MAX = 200


class SmsProviderError(Exception):
    """One provider could not take the message."""

    def __init__(self, provider: str, reason: str, *, status_code: int | None = None) -> None:
        self.provider = provider
        self.reason = reason[:_REASON_MAX]
        self.status_code = status_code
        super().__init__(str(self))

    def __str__(self) -> str:
        status = f"HTTP {self.status_code}: " if self.status_code is not None else ""
        return f"{self.provider}: {status}{self.reason}"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle (Celery's failure handling) rebuilds from these, not from the message.
        return (type(self), (self.provider, self.reason), {"status_code": self.status_code})


class SmsDeliveryError(Exception):
    """Every configured provider failed; `errors` holds one entry per provider.

    Its one argument is the message; `errors` is kept beside it. Celery (and pickle)
    rebuild an exception by calling its class with its `args`: built from the list, the
    message stays intact either way (issue 13: it used to come back as "S; M; S; ...",
    the message split into characters).
    """

    def __init__(self, errors: list[SmsProviderError] | str) -> None:
        if isinstance(errors, str):  # rebuilt from its message
            self.errors: list[SmsProviderError] = []
            message = errors
        else:
            self.errors = list(errors)
            message = "SMS not delivered: " + "; ".join(str(error) for error in self.errors)
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "SMS not delivered"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), {"errors": self.errors})


@dataclass(frozen=True)
class SmsResult:
    provider: str
    message_id: str
    # Providers that failed before this one took the message.
    failed_over: tuple[SmsProviderError, ...] = ()


class SmsProvider(Protocol):
    name: str

    def send(self, to: str, text: str) -> SmsResult: ...


def _short_reason(response: requests.Response) -> str:
    """The provider's own error message if it gave one, else the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or "error"
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("title") or first.get("detail") or first.get("code") or "error")
        for key in ("message", "error", "detail"):
            if body.get(key):
                return str(body[key])
    return response.reason or "error"


def _post_json(
    provider: str, url: str, *, payload: dict, headers: dict, timeout: float, secret: str
) -> Any:
    """POST `payload`; the decoded JSON answer, or SmsProviderError.

    `secret` (the credential) is blanked out of any reason the provider echoes back.
    """
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=timeout)
    except requests.Timeout as exc:
        raise SmsProviderError(provider, f"timed out ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        raise SmsProviderError(provider, f"request failed ({type(exc).__name__})") from exc
    if not 200 <= response.status_code < 300:
        reason = _short_reason(response)
        if secret:
            reason = reason.replace(secret, "***")
        raise SmsProviderError(provider, reason, status_code=response.status_code)
    try:
        return response.json()
    except ValueError as exc:
        raise SmsProviderError(
            provider, "answer is not JSON", status_code=response.status_code
        ) from exc


class TermiiProvider:
    """Termii Messaging API: `POST /api/sms/send`, the key travels in the body."""

    name = "termii"

    def __init__(
        self, *, api_key: str, sender_id: str, base_url: str, channel: str, timeout: float
    ) -> None:
        self.api_key = api_key
        self.sender_id = sender_id
        self.base_url = base_url.rstrip("/")
        self.channel = channel
        self.timeout = timeout

    def send(self, to: str, text: str) -> SmsResult:
        payload = {
            "to": to.lstrip("+"),
            "from": self.sender_id,
            "sms": text,
            "type": "plain",
            "channel": self.channel,
            "api_key": self.api_key,
        }
        body = _post_json(
            self.name,
            f"{self.base_url}/api/sms/send",
            payload=payload,
            headers={"Accept": "application/json"},
            timeout=self.timeout,
            secret=self.api_key,
        )
        message_id = body.get("message_id") if isinstance(body, dict) else None
        if not message_id:
            raise SmsProviderError(self.name, "answer has no message_id", status_code=200)
        return SmsResult(provider=self.name, message_id=str(message_id))


class TelnyxProvider:
    """Telnyx Messaging API v2: `POST /v2/messages` with a Bearer token."""

    name = "telnyx"

    def __init__(self, *, auth_token: str, from_: str, base_url: str, timeout: float) -> None:
        self.auth_token = auth_token
        self.from_ = from_
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, to: str, text: str) -> SmsResult:
        if not self.from_:
            raise SmsProviderError(self.name, "TELNYX_FROM is not set")
        body = _post_json(
            self.name,
            f"{self.base_url}/v2/messages",
            payload={"from": self.from_, "to": "+" + to.lstrip("+"), "text": text},
            headers={"Authorization": f"Bearer {self.auth_token}", "Accept": "application/json"},
            timeout=self.timeout,
            secret=self.auth_token,
        )
        data = body.get("data") if isinstance(body, dict) else None
        message_id = data.get("id") if isinstance(data, dict) else None
        if not message_id:
            raise SmsProviderError(self.name, "answer has no data.id", status_code=200)
        return SmsResult(provider=self.name, message_id=str(message_id))


class ConsoleProvider:
    """Development only: prints the message to stdout instead of sending it."""

    name = "console"

    def send(self, to: str, text: str) -> SmsResult:
        message_id = f"console-{uuid.uuid4()}"
        sys.stdout.write(f"--- SMS to {to} ({message_id}) ---\n{text}\n---\n")
        sys.stdout.flush()
        return SmsResult(provider=self.name, message_id=message_id)


def sms_providers() -> list[SmsProvider]:
    """The provider chain, read from settings at call time."""
    timeout = settings.SMS_TIMEOUT_SECONDS
    providers: list[SmsProvider] = []
    if settings.TERMII_API_KEY:
        providers.append(
            TermiiProvider(
                api_key=settings.TERMII_API_KEY,
                sender_id=settings.TERMII_SENDER_ID,
                base_url=settings.TERMII_BASE_URL,
                channel=settings.TERMII_CHANNEL,
                timeout=timeout,
            )
        )
    if settings.TELNYX_AUTH_TOKEN:
        providers.append(
            TelnyxProvider(
                auth_token=settings.TELNYX_AUTH_TOKEN,
                from_=settings.TELNYX_FROM,
                base_url=settings.TELNYX_BASE_URL,
                timeout=timeout,
            )
        )
    # The console prints codes: never in production, where a missing key is an error.
    if not providers and not settings.IS_PRODUCTION:
        providers.append(ConsoleProvider())
    return providers


def send_sms(to: str, text: str) -> SmsResult:
    """Send `text` to the E.164 number `to` through the first provider that takes it."""
    providers = sms_providers()
    if not providers:
        raise SmsDeliveryError(
            [SmsProviderError("none", "no SMS provider is configured (TERMII_API_KEY, ...)")]
        )
    errors: list[SmsProviderError] = []
    for provider in providers:
        try:
            result = provider.send(to, text)
        except SmsProviderError as error:
            logger.warning(
                "sms provider %s failed: %s",
                error.provider,
                error.reason,
                extra={"provider": error.provider, "status_code": error.status_code},
            )
            errors.append(error)
            continue
        return SmsResult(
            provider=result.provider, message_id=result.message_id, failed_over=tuple(errors)
        )
    raise SmsDeliveryError(errors)
