"""Converting amounts between currencies at the platform's adjusted rate.

Which rate (the pair in either direction counts: if only USD->NGN is stored, NGN->USD
uses 1/rate):

1. the newest *manual* (staff-entered, not revoked) rate of the pair within the maximum
   age, however new a fetched one is;
2. else the newest fetched rate of the pair within the maximum age;
3. else, when neither currency is the provider's base (settings.EXCHANGE_RATES_BASE,
   USD by default), a cross rate through it: from->base and base->to, each chosen by 1-2;
4. else refuse with `ExchangeRateUnavailable` (503): `exchange_rate_stale` when rates
   exist but are all older than the maximum age, `exchange_rate_missing` when none do.

Age is `at - fetched_at` (`at` defaults to now); the maximum age and the margin are the
caller's `RatePolicy` (services call `apps.platform_settings.pricing.convert`, which
passes the platform's). The adjusted rate is the market rate less the margin,
`market * (10000 - margin_bps) / 10000`, applied once to the whole (possibly cross)
rate. The converted amount is `amount * adjusted * 10^(to exponent - from exponent)`,
computed in Decimal at 60 digits and rounded half-up to the target's minor unit once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from rest_framework import status

from apps.core.errors import ApplicationError, InvalidInput

from .models import MANUAL_SOURCE, ExchangeRate
from .selectors import currency_get

_PRECISION = 60
BPS = 10_000


class ExchangeRateUnavailable(ApplicationError):
    """No rate fresh enough to convert with. Temporary and ours, hence 503."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "exchange_rate_unavailable"


@dataclass(frozen=True)
class RatePolicy:
    """How conversions are priced: the margin taken off the market rate (basis points)
    and the oldest rate that may be used (seconds)."""

    fx_margin_bps: int
    max_rate_age_seconds: int


@dataclass(frozen=True)
class Conversion:
    """`amount` (minor units of `currency`) is what `from_amount` of `from_currency` buys.

    `rate` is the adjusted rate used (major units of `currency` per major unit of
    `from_currency`), `market_rate` the rate before the margin. `rate_id` is the stored
    rate used (the first leg of a cross rate; `rate_ids` has every leg); `source` is
    "manual", the provider's name, "manual+<provider>" for mixed legs, or "identity".
    """

    amount: int
    currency: str
    from_amount: int
    from_currency: str
    rate: Decimal
    market_rate: Decimal
    margin_bps: int
    rate_id: uuid.UUID | None
    source: str
    rate_ids: tuple[uuid.UUID, ...] = ()
    rate_fetched_at: datetime | None = None


@dataclass(frozen=True)
class _Leg:
    row: ExchangeRate
    rate: Decimal  # of from->to, inverted when the stored row is the other way round


def rate_base_currency() -> str:
    return settings.EXCHANGE_RATES_BASE


def _pick(from_code: str, to_code: str, *, at: datetime, oldest: datetime | None) -> _Leg | None:
    """The rate of a pair by rules 1-2, or None if there is none fresh enough
    (`oldest=None`: of any age)."""
    rows = ExchangeRate.objects.filter(
        Q(base_id=from_code, quote_id=to_code) | Q(base_id=to_code, quote_id=from_code),
        revoked_at__isnull=True,
        fetched_at__lte=at,
    )
    if oldest is not None:
        rows = rows.filter(fetched_at__gte=oldest)
    row = (
        rows.annotate(
            manual_first=Case(
                When(source=MANUAL_SOURCE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("manual_first", "-fetched_at", "-created_at")
        .first()
    )
    if row is None:
        return None
    if row.base_id == from_code:
        return _Leg(row=row, rate=row.rate)
    with localcontext(prec=_PRECISION):
        return _Leg(row=row, rate=Decimal(1) / row.rate)


def _legs(from_code: str, to_code: str, *, at: datetime, oldest: datetime | None) -> list[_Leg]:
    """The pair's own rate (rules 1-2), else the two legs of a cross rate (rule 3)."""
    direct = _pick(from_code, to_code, at=at, oldest=oldest)
    if direct is not None:
        return [direct]
    pivot = rate_base_currency()
    if pivot in (from_code, to_code):
        return []
    first = _pick(from_code, pivot, at=at, oldest=oldest)
    second = _pick(pivot, to_code, at=at, oldest=oldest) if first else None
    return [first, second] if first and second else []


def convertible_pairs(
    codes: Iterable[str], *, policy: RatePolicy, at: datetime | None = None
) -> set[tuple[str, str]]:
    """Every ordered pair `(from, to)` of `codes` that `convert_with_policy` would convert
    at `at` under `policy` (a currency to itself included), by the same rules 1-3 of the
    module doc, from one query over the fresh rates whatever the number of currencies."""
    at = at or timezone.now()
    oldest = at - timedelta(seconds=policy.max_rate_age_seconds)
    fresh: set[tuple[str, str]] = set()
    rows = (
        ExchangeRate.objects.filter(
            revoked_at__isnull=True, fetched_at__lte=at, fetched_at__gte=oldest
        )
        .values_list("base_id", "quote_id")
        .distinct()
    )
    for base, quote in rows:
        fresh.update({(base, quote), (quote, base)})
    pivot = rate_base_currency()
    codes = list(codes)
    pairs: set[tuple[str, str]] = set()
    for source in codes:
        for target in codes:
            if (
                source == target
                or (source, target) in fresh
                or (
                    pivot not in (source, target)
                    and (source, pivot) in fresh
                    and (pivot, target) in fresh
                )
            ):
                pairs.add((source, target))
    return pairs


def adjusted_rate(market_rate: Decimal, margin_bps: int) -> Decimal:
    """The market rate less the platform margin, exactly."""
    with localcontext(prec=_PRECISION):
        return market_rate * (BPS - margin_bps) / BPS


def convert_with_policy(
    amount: int,
    from_currency: str,
    to_currency: str,
    *,
    policy: RatePolicy,
    at: datetime | None = None,
) -> Conversion:
    """Convert `amount` minor units of `from_currency` into `to_currency` under `policy`
    (see module doc)."""
    if type(amount) is not int or amount < 0:
        raise InvalidInput(
            "amount must be a whole, non-negative number of minor units.",
            code="invalid_amount",
            fields={"amount": ["Must be a whole, non-negative number of minor units."]},
        )
    source_currency = currency_get(from_currency, field="from_currency")
    target_currency = currency_get(to_currency, field="to_currency")
    if from_currency == to_currency:
        return Conversion(
            amount=amount,
            currency=to_currency,
            from_amount=amount,
            from_currency=from_currency,
            rate=Decimal(1),
            market_rate=Decimal(1),
            margin_bps=0,
            rate_id=None,
            source="identity",
        )
    at = at or timezone.now()
    oldest = at - timedelta(seconds=policy.max_rate_age_seconds)

    legs = _legs(from_currency, to_currency, at=at, oldest=oldest)
    if not legs:
        pair = f"{from_currency}/{to_currency}"
        if _legs(from_currency, to_currency, at=at, oldest=None):
            raise ExchangeRateUnavailable(
                f"The exchange rate for {pair} is older than the "
                f"{policy.max_rate_age_seconds} seconds allowed; it will not be used.",
                code="exchange_rate_stale",
                extra={"pair": pair},
            )
        raise ExchangeRateUnavailable(
            f"There is no exchange rate for {pair}.",
            code="exchange_rate_missing",
            extra={"pair": pair},
        )

    with localcontext(prec=_PRECISION):
        market = Decimal(1)
        for leg in legs:
            market *= leg.rate
        rate = adjusted_rate(market, policy.fx_margin_bps)
        exact = (
            Decimal(amount)
            * rate
            * Decimal(10) ** (target_currency.exponent - source_currency.exponent)
        )
        converted = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    sources = sorted({leg.row.source for leg in legs}, key=lambda s: (s != MANUAL_SOURCE, s))
    return Conversion(
        amount=converted,
        currency=to_currency,
        from_amount=amount,
        from_currency=from_currency,
        rate=rate,
        market_rate=market,
        margin_bps=policy.fx_margin_bps,
        rate_id=legs[0].row.id,
        source="+".join(sources),
        rate_ids=tuple(leg.row.id for leg in legs),
        rate_fetched_at=min(leg.row.fetched_at for leg in legs),
    )
