"""The one place that turns amounts into text and back, and Decimals into minor units.

Amounts are integers in the currency's minor unit (kobo, cents). Display strings are
`<symbol><grouped major units>.<minor digits>`: "₦1,234.50", "$0.05", "KSh 1,000.00"
(a space after a symbol that ends in a letter), "-₦3.00" for a negative amount.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from apps.core.errors import InvalidInput

from .selectors import currency_get

# Far above any real amount and far below a 64-bit column.
MAX_MINOR_UNITS = 10**15
_MAX_TEXT = 64
_NUMBER = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?")


class MoneyFormatError(InvalidInput, ValueError):
    """Text that is not an amount of the currency. A 400 naming `amount` in the API."""

    code = "invalid_amount"

    def __init__(self, problem: str, *, field: str = "amount") -> None:
        super().__init__(f"{field}: {problem}", fields={field: [problem]})


def _check_int(amount: object) -> int:
    if type(amount) is not int:
        raise TypeError(f"an amount in minor units is an int, not {type(amount).__name__}")
    return amount


def format_money(amount: int, currency: str) -> str:
    """ "₦1,234.50" for 123450 NGN."""
    _check_int(amount)
    info = currency_get(currency)
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**info.exponent)
    text = f"{whole:,}"
    if info.exponent:
        text += f".{fraction:0{info.exponent}d}"
    symbol = info.symbol
    if symbol and symbol[-1].isalpha() and len(symbol) > 1:
        symbol += " "
    return f"{sign}{symbol}{text}"


def parse_money(text: str, currency: str, *, field: str = "amount") -> int:
    """The minor units of a display string, "₦1,234.50" or "1234.5" -> 123450.

    Takes an optional leading symbol or ISO code of this currency, thousands separated by
    commas in groups of three or not at all, and at most `exponent` decimals. Refuses
    negative amounts, extra decimals and anything else with `MoneyFormatError`.
    """
    if not isinstance(text, str):
        raise MoneyFormatError("Give the amount as text.", field=field)
    info = currency_get(currency)
    remaining = text.strip()
    if not remaining or len(remaining) > _MAX_TEXT:
        raise MoneyFormatError("Not an amount.", field=field)
    negative = remaining.startswith("-")
    remaining = remaining.removeprefix("-")
    for prefix in sorted({info.symbol, info.code}, key=len, reverse=True):
        if prefix and remaining.upper().startswith(prefix.upper()):
            remaining = remaining[len(prefix) :].lstrip()
            break
    if remaining.startswith("-"):
        negative = True
        remaining = remaining[1:]
    match = _NUMBER.fullmatch(remaining)
    if match is None:
        raise MoneyFormatError(f"Not an amount of {info.code}.", field=field)
    if negative:
        raise MoneyFormatError("Cannot be negative.", field=field)
    fraction = match["fraction"] or ""
    if len(fraction) > info.exponent:
        raise MoneyFormatError(
            f"{info.code} has {info.exponent} decimal place"
            f"{'' if info.exponent == 1 else 's'}; this amount has {len(fraction)}.",
            field=field,
        )
    whole = int(match["whole"].replace(",", ""))
    amount = whole * 10**info.exponent + int(fraction.ljust(info.exponent, "0") or 0)
    if amount > MAX_MINOR_UNITS:
        raise MoneyFormatError("Too large.", field=field)
    return amount


def to_minor(value: Decimal | int, currency: str) -> int:
    """Major units (a Decimal) to minor units, rounded half-up (away from zero) once."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"to_minor takes a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    info = currency_get(currency)
    try:
        return int(value.scaleb(info.exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:
        raise ValueError(f"amount out of range: {value}") from exc


def from_minor(amount: int, currency: str) -> Decimal:
    """Minor units to major units, exactly: 123450 NGN -> Decimal("1234.50")."""
    _check_int(amount)
    info = currency_get(currency)
    return Decimal(amount).scaleb(-info.exponent)
