"""Small parsers for environment values that django-environ does not cover."""

import json
import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")


def parse_duration(value: str) -> timedelta:
    """Parse "7d", "12h", "30m", "45s", "2w" or a plain number of seconds.

    The same notation the previous service used for `EXPIRES_IN`.
    """
    match = _DURATION.match(value)
    if not match or int(match.group(1)) == 0:
        raise ImproperlyConfigured(
            f"{value!r} is not a duration: use a positive number with s, m, h, d or w "
            "(for example 7d)"
        )
    amount, unit = int(match.group(1)), match.group(2) or "s"
    return timedelta(**{_UNITS[unit]: amount})


_CHANNEL = re.compile(r"^[a-z_]{2,30}$")
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def parse_paystack_channels(value: str) -> dict[str, list[str]] | list[str]:
    """PAYSTACK_CHANNELS: the checkout channels per currency.

    "NGN=card|bank|ussd|bank_transfer,GHS=card|mobile_money" gives each currency its
    list ("XOF=" an empty one); a JSON object ({"NGN": ["card"]}) works too. A plain
    comma list ("card,bank") is the older form: the same channels for every currency.
    """
    value = value.strip()
    if not value:
        return {}
    if value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"PAYSTACK_CHANNELS is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in parsed.values()
        ):
            raise ImproperlyConfigured(
                'PAYSTACK_CHANNELS as JSON must map currencies to lists: {"NGN": ["card"]}'
            )
        pairs = [(str(k), [str(c) for c in v]) for k, v in parsed.items()]
    elif "=" not in value:
        channels = [c.strip() for c in value.split(",") if c.strip()]
        _check_channels(channels)
        return channels
    else:
        pairs = []
        for item in value.split(","):
            if not item.strip():
                continue
            currency, sep, listed = item.partition("=")
            if not sep:
                raise ImproperlyConfigured(
                    f"PAYSTACK_CHANNELS: {item.strip()!r} is not CURRENCY=channel|channel"
                )
            pairs.append((currency, [c.strip() for c in listed.split("|") if c.strip()]))
    result: dict[str, list[str]] = {}
    for currency, channels in pairs:
        currency = currency.strip().upper()
        if not _CURRENCY_CODE.match(currency):
            raise ImproperlyConfigured(f"PAYSTACK_CHANNELS: {currency!r} is not a currency code")
        _check_channels(channels)
        result[currency] = channels
    return result


def _check_channels(channels: list[str]) -> None:
    for channel in channels:
        if not _CHANNEL.match(channel):
            raise ImproperlyConfigured(f"PAYSTACK_CHANNELS: {channel!r} is not a channel name")


_AMOUNT_ITEM = re.compile(r"^\s*([A-Za-z]{3})\s*[=:]\s*(\d+)\s*$")


def parse_amounts(value: str) -> dict[str, int]:
    """DONATION_MAX_AMOUNTS: integer minor units per currency, "NGN=1000,USD=10" (or a
    JSON object {"NGN": 1000}). Empty gives no entries."""
    value = value.strip()
    if not value:
        return {}
    if value.startswith("{"):
        try:
            loaded = json.loads(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{value!r} is not a JSON object of amounts") from exc
        items = [f"{key}={amount}" for key, amount in dict(loaded).items()]
    else:
        items = [item for item in value.split(",") if item.strip()]
    amounts: dict[str, int] = {}
    for item in items:
        match = _AMOUNT_ITEM.match(str(item))
        if not match:
            raise ImproperlyConfigured(
                f"{item!r} is not CURRENCY=amount (integer minor units, e.g. NGN=10000000000)"
            )
        amounts[match.group(1).upper()] = int(match.group(2))
    return amounts
