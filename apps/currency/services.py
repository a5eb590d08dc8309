"""Writes to currencies and exchange rates."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_log
from apps.core.errors import Conflict, InvalidInput, NotFound

from .models import (
    MANUAL_SOURCE,
    RATE_DECIMAL_PLACES,
    RATE_MAX_DIGITS,
    Currency,
    ExchangeRate,
    RateRefresh,
    RateRefreshStatus,
)
from .providers import RateProvider, RateProviderError, provider_from_settings
from .selectors import currency_enabled_codes, currency_get, invalidate_currency_cache

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger(__name__)

_QUANTUM = Decimal(1).scaleb(-RATE_DECIMAL_PLACES)
_RATE_LIMIT = Decimal(10) ** (RATE_MAX_DIGITS - RATE_DECIMAL_PLACES)


def normalize_rate(value: object) -> Decimal | None:
    """The rate as stored (18 decimal places, half-up), or None if it cannot be one."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return None  # a float has already lost digits: refuse it
    try:
        rate = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        return None
    if not rate.is_finite() or rate <= 0 or rate >= _RATE_LIMIT:
        return None
    rate = rate.quantize(_QUANTUM, rounding=ROUND_HALF_UP)
    return rate if rate > 0 else None


def currency_update(
    *,
    code: str,
    enabled: bool | None = None,
    minimum_donation: int | None = None,
    actor: User | None = None,
) -> Currency:
    """Switch a currency on or off, or change its minimum donation."""
    currency_get(code, field="code")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("enabled must be true or false.", fields={"enabled": ["Not a boolean."]})
    if minimum_donation is not None and (type(minimum_donation) is not int or minimum_donation < 1):
        raise InvalidInput(
            "minimum_donation must be a positive whole number of minor units.",
            fields={"minimum_donation": ["Must be a positive whole number of minor units."]},
        )
    with transaction.atomic():
        currency = Currency.objects.select_for_update().get(code=code)
        fields = []
        before = {"enabled": currency.enabled, "minimum_donation": currency.minimum_donation}
        if enabled is not None and currency.enabled != enabled:
            currency.enabled = enabled
            fields.append("enabled")
        if minimum_donation is not None and currency.minimum_donation != minimum_donation:
            currency.minimum_donation = minimum_donation
            fields.append("minimum_donation")
        if fields:
            currency.save(update_fields=fields)
            audit_log(
                actor=actor,
                action="currency.update",
                target_type="currency",
                target_id=currency.code,
                before={name: before[name] for name in fields},
                after={name: getattr(currency, name) for name in fields},
            )
            invalidate_currency_cache()
            transaction.on_commit(invalidate_currency_cache)
    return currency


def exchange_rate_record_manual(
    *, actor: User, base: str, quote: str, rate: object
) -> ExchangeRate:
    """Record a staff-entered market rate: 1 `base` = `rate` `quote`.

    It wins over fetched rates of the pair until it is older than the maximum rate age
    (platform settings) or is revoked. The platform margin is applied on use, as for
    fetched rates. `rate` is a Decimal or a numeric string; a float is refused.
    """
    currency_get(base, field="base")
    currency_get(quote, field="quote")
    if base == quote:
        raise InvalidInput(
            "quote: A rate needs two different currencies.",
            fields={"quote": ["Must differ from base."]},
        )
    normalized = normalize_rate(rate)
    if normalized is None:
        raise InvalidInput(
            "rate: Must be a positive decimal number.",
            code="invalid_rate",
            fields={"rate": ["Must be a positive decimal number (as text or Decimal)."]},
        )
    with transaction.atomic():
        row = ExchangeRate.objects.create(
            base_id=base,
            quote_id=quote,
            rate=normalized,
            source=MANUAL_SOURCE,
            fetched_at=timezone.now(),
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="exchange_rate.record",
            target_type="exchange_rate",
            target_id=str(row.pk),
            after={"base": base, "quote": quote, "rate": str(normalized)},
        )
    logger.info(
        "manual exchange rate recorded",
        extra={"rate_id": str(row.id), "pair": f"{base}/{quote}", "actor_id": str(actor.pk)},
    )
    return row


def exchange_rate_revoke(*, actor: User | None, rate_id: uuid.UUID | str) -> ExchangeRate:
    """Withdraw a manual rate entered by mistake; conversions stop using it at once."""
    with transaction.atomic():
        row = ExchangeRate.objects.select_for_update().filter(pk=rate_id).first()
        if row is None:
            raise NotFound("No such exchange rate.")
        if not row.is_manual:
            raise Conflict("Only manual rates can be revoked.", code="not_manual_rate")
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.revoked_by = actor
            row.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
            audit_log(
                actor=actor,
                action="exchange_rate.revoke",
                target_type="exchange_rate",
                target_id=str(row.pk),
                before={"revoked": False},
                after={"revoked": True},
            )
    return row


def exchange_rates_refresh(*, provider: RateProvider | None = None) -> RateRefresh | None:
    """Fetch the latest market rates for the enabled currencies and store them.

    One row per enabled currency against the provider's base (settings.EXCHANGE_RATES_BASE);
    other pairs are derived on use. Rates that are missing or unreadable are not stored
    (the old ones stay in use) and are logged; if the call fails or nothing usable
    comes back, nothing is stored. Every call leaves a `RateRefresh` row. Returns None
    when no provider is configured. Safe to run twice: the newest row wins.
    """
    provider = provider or provider_from_settings()
    if provider is None:
        logger.info("exchange-rate refresh skipped: no EXCHANGE_RATES_URL configured")
        return None
    base = settings.EXCHANGE_RATES_BASE
    started = time.monotonic()

    def finish(
        status: str,
        *,
        error: str = "",
        http_status: int | None = None,
        rows: Sequence[ExchangeRate] = (),
        missing: Iterable[str] = (),
    ) -> RateRefresh:
        with transaction.atomic():
            if rows:
                ExchangeRate.objects.bulk_create(rows)
            return RateRefresh.objects.create(
                provider=provider.name,
                base=base,
                status=status,
                http_status=http_status,
                error=error[:2000],
                rates_stored=len(rows),
                missing=sorted(missing),
                duration_ms=int((time.monotonic() - started) * 1000),
            )

    try:
        currency_get(base, field="EXCHANGE_RATES_BASE")
    except InvalidInput:
        logger.warning("exchange-rate refresh failed: base %s is not a known currency", base)
        return finish(RateRefreshStatus.FAILED, error=f"unknown base currency {base}")
    symbols = [code for code in currency_enabled_codes() if code != base]
    if not symbols:
        return finish(RateRefreshStatus.SUCCEEDED)
    try:
        fetched = provider.latest(base=base, symbols=symbols)
    except RateProviderError as exc:
        logger.warning(
            "exchange-rate refresh failed, keeping the old rates: %s",
            exc,
            extra={"provider": provider.name, "http_status": exc.http_status},
        )
        return finish(RateRefreshStatus.FAILED, error=str(exc), http_status=exc.http_status)

    now = timezone.now()
    rows, missing = [], []
    for code in symbols:
        rate = normalize_rate(fetched.rates.get(code))
        if rate is None:
            missing.append(code)
            continue
        rows.append(
            ExchangeRate(
                base_id=base,
                quote_id=code,
                rate=rate,
                source=provider.name,
                fetched_at=now,
                provider_time=fetched.provider_time,
            )
        )
    if not rows:
        logger.warning(
            "exchange-rate refresh stored nothing, keeping the old rates: no usable rate for %s",
            ", ".join(missing),
            extra={"provider": provider.name},
        )
        return finish(
            RateRefreshStatus.FAILED, error="no usable rate in the answer", missing=missing
        )
    if missing:
        logger.warning(
            "exchange-rate refresh: no usable rate for %s; keeping their old rates",
            ", ".join(missing),
            extra={"provider": provider.name},
        )
    status = RateRefreshStatus.PARTIAL if missing else RateRefreshStatus.SUCCEEDED
    return finish(status, rows=rows, missing=missing)
