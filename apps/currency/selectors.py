"""Currency look-ups, cached: currencies change rarely and are read on every amount.

The whole table is cached under one key for an hour; `services.currency_update` drops
it. A code the cached table lacks is looked up in the database before it is refused,
so a currency added since the cache was filled is found.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache

from apps.core.errors import InvalidInput

from .models import Currency

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import ExchangeRate

logger = logging.getLogger(__name__)

CACHE_KEY = "currency:all:v1"
CACHE_TIMEOUT = 3600


@dataclass(frozen=True)
class CurrencyInfo:
    code: str
    name: str
    exponent: int
    symbol: str
    enabled: bool
    minimum_donation: int


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"

    def __init__(self, code: object, *, field: str = "currency") -> None:
        super().__init__(
            f"{field}: Unknown currency {code!r}.",
            fields={field: [f"Unknown currency {code!r}."]},
        )


def _info(row: Currency) -> CurrencyInfo:
    return CurrencyInfo(
        code=row.code,
        name=row.name,
        exponent=row.exponent,
        symbol=row.symbol,
        enabled=row.enabled,
        minimum_donation=row.minimum_donation,
    )


def currency_all() -> dict[str, CurrencyInfo]:
    """Every currency by code, enabled or not."""
    try:
        cached = cache.get(CACHE_KEY)
    except Exception as exc:  # the cache being down must not stop payments
        logger.warning("currency cache read failed: %s", exc)
        cached = None
    if cached is not None:
        try:
            return {row["code"]: CurrencyInfo(**row) for row in cached}
        except (KeyError, TypeError) as exc:
            logger.warning("currency cache entry unreadable: %s", exc)
    currencies = {row.code: _info(row) for row in Currency.objects.all()}
    try:
        cache.add(CACHE_KEY, [asdict(c) for c in currencies.values()], timeout=CACHE_TIMEOUT)
    except Exception as exc:
        logger.warning("currency cache write failed: %s", exc)
    return currencies


def currency_get(code: object, *, field: str = "currency") -> CurrencyInfo:
    """The currency with this ISO code (exactly, upper case); `UnknownCurrency` naming
    `field` otherwise."""
    if not isinstance(code, str) or len(code) != 3:
        raise UnknownCurrency(code, field=field)
    found = currency_all().get(code)
    if found is None:
        row = Currency.objects.filter(code=code).first()
        if row is None:
            raise UnknownCurrency(code, field=field)
        invalidate_currency_cache()
        found = _info(row)
    return found


def currency_codes() -> set[str]:
    return set(currency_all())


def currency_enabled_codes() -> list[str]:
    return sorted(code for code, c in currency_all().items() if c.enabled)


def invalidate_currency_cache() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception as exc:
        logger.warning("currency cache delete failed: %s", exc)


def exchange_rate_list(
    *, base: str = "", quote: str = "", source: str = ""
) -> QuerySet[ExchangeRate]:
    from .models import ExchangeRate

    rows = ExchangeRate.objects.select_related("created_by").order_by("-fetched_at", "-created_at")
    if base:
        rows = rows.filter(base_id=base)
    if quote:
        rows = rows.filter(quote_id=quote)
    if source:
        rows = rows.filter(source=source)
    return rows
