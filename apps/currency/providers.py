"""Where market rates come from.

A provider answers "the latest rates for a base": `latest(base=..., symbols=[...])`.
`HttpRateProvider` speaks the common JSON shape of exchangerate.host, Fixer,
Open Exchange Rates and their kin::

    GET <EXCHANGE_RATES_URL>?base=USD&symbols=NGN,GHS&<EXCHANGE_RATES_API_KEY_PARAM>=<key>
    {"base": "USD", "rates": {"NGN": 1532.12, "GHS": 15.2}, "timestamp": 1732600000}

(`"date": "2024-11-26"` may stand in for `timestamp`; `"success": false` is an error).
Numbers are read from the raw text as Decimal, never through float.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


class RateProviderError(Exception):
    """The provider did not give usable rates; the message is safe to log (no key)."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


@dataclass(frozen=True)
class FetchedRates:
    base: str
    rates: dict[str, Decimal]  # every rate that read as a finite number
    provider_time: datetime | None = None
    unreadable: dict[str, str] = field(default_factory=dict)  # code -> the raw value


class RateProvider(Protocol):
    name: str

    def latest(self, *, base: str, symbols: Sequence[str]) -> FetchedRates: ...


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a rate")


def _provider_time(body: dict) -> datetime | None:
    timestamp = body.get("timestamp")
    if isinstance(timestamp, Decimal) and timestamp.is_finite() and timestamp > 0:
        try:
            return datetime.fromtimestamp(int(timestamp), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    date = body.get("date")
    if isinstance(date, str):
        try:
            return datetime.strptime(date[:10], "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def parse_rates_body(raw: bytes | str, *, base: str) -> FetchedRates:
    """Read the common "latest rates" JSON shape; `RateProviderError` if it is not that."""
    try:
        body = json.loads(
            raw, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise RateProviderError(f"the answer is not JSON ({exc.__class__.__name__})") from exc
    if not isinstance(body, dict):
        raise RateProviderError("the answer is not a JSON object")
    if body.get("success") is False:
        error = body.get("error")
        detail = error.get("info") or error.get("type") if isinstance(error, dict) else error
        raise RateProviderError(f"the provider refused: {str(detail)[:200]}")
    rates = body.get("rates")
    if not isinstance(rates, dict):
        raise RateProviderError("the answer has no 'rates' object")
    answered_base = body.get("base", base)
    if not isinstance(answered_base, str) or answered_base.upper() != base:
        raise RateProviderError(f"asked for base {base}, got {str(answered_base)[:10]!r}")
    good: dict[str, Decimal] = {}
    unreadable: dict[str, str] = {}
    for code, value in rates.items():
        if isinstance(value, str):
            with contextlib.suppress(InvalidOperation):
                value = Decimal(value.strip())
        if isinstance(value, Decimal) and value.is_finite():
            good[str(code).upper()] = value
        else:
            unreadable[str(code)[:10]] = str(value)[:40]
    return FetchedRates(
        base=base, rates=good, provider_time=_provider_time(body), unreadable=unreadable
    )


class HttpRateProvider:
    def __init__(
        self,
        *,
        url: str,
        api_key: str = "",
        api_key_param: str = "access_key",
        timeout: float = 10.0,
        name: str | None = None,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.api_key_param = api_key_param
        self.timeout = timeout
        self.name = (name or urlsplit(url).hostname or "http")[:64]

    def latest(self, *, base: str, symbols: Sequence[str]) -> FetchedRates:
        params = {"base": base, "symbols": ",".join(symbols)}
        if self.api_key:
            params[self.api_key_param] = self.api_key
        try:
            response = requests.get(
                self.url,
                params=params,
                headers={"Accept": "application/json"},
                timeout=(min(self.timeout, 5.0), self.timeout),
            )
        except requests.Timeout as exc:
            raise RateProviderError(f"no answer within {self.timeout:g}s") from exc
        except requests.RequestException as exc:
            # The exception text holds the URL with the key: log only its kind.
            raise RateProviderError(f"request failed: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise RateProviderError(
                f"HTTP {response.status_code}", http_status=response.status_code
            )
        return parse_rates_body(response.content, base=base)


def provider_from_settings() -> HttpRateProvider | None:
    """The configured provider, or None when EXCHANGE_RATES_URL is empty (offline)."""
    url = settings.EXCHANGE_RATES_URL
    if not url:
        return None
    return HttpRateProvider(
        url=url,
        api_key=settings.EXCHANGE_RATES_API_KEY,
        api_key_param=settings.EXCHANGE_RATES_API_KEY_PARAM,
        timeout=float(settings.EXCHANGE_RATES_TIMEOUT_SECONDS),
    )
