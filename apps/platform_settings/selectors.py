"""Reading platform settings.

Hot paths (every fee, every conversion, every withdrawal) read a snapshot through
`get_platform_settings()`: one cache read, no query. The snapshot is a plain value, so
nobody can save it by mistake. A change deletes the cached copy inside its transaction
and again after commit; a reader that misses fills the cache with `add`, so it does not
overwrite a fresher copy. The rare reader that loaded the old row just before a commit
and stores it just after the second delete leaves a stale copy for at most the cache
timeout (settings.CACHE_TTL). There is no in-process memo: the cache is shared by every
process, so one delete reaches them all.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from apps.core.errors import ApplicationError
from apps.fees.policy import FeePolicy

from .models import CampaignWithdrawalCap, CurrencySettings, PlatformSettings, SettingsChangeLog

logger = logging.getLogger(__name__)

CACHE_KEY = "platform_settings:snapshot:v1"
WITHDRAWAL_CAP_KEY = "withdrawal_cap"
CAMPAIGN_WITHDRAWAL_CAP_KEY = "campaign_withdrawal_cap"


class CurrencyNotConfigured(ApplicationError):
    """A currency without fee and withdrawal settings cannot take money."""

    code = "currency_not_configured"

    def __init__(self, currency: str) -> None:
        super().__init__(
            f"{currency} has no fee and withdrawal settings yet; staff must set them first.",
            fields={"currency": [f"{currency} is not configured for payments."]},
        )


@dataclass(frozen=True)
class CurrencyConfig:
    code: str
    withdrawal_cap: int
    minimum_withdrawal: int
    fee: FeePolicy

    def as_dict(self) -> dict[str, Any]:
        return {
            "withdrawal_cap": self.withdrawal_cap,
            "minimum_withdrawal": self.minimum_withdrawal,
            "fee": self.fee.as_dict(),
        }


@dataclass(frozen=True)
class SettingsSnapshot:
    """The settings as they were when read. Amounts in each currency's minor unit."""

    fx_margin_bps: int
    max_rate_age_seconds: int
    currencies: dict[str, CurrencyConfig]
    updated_at: datetime | None = None

    def currency(self, code: str) -> CurrencyConfig:
        try:
            return self.currencies[code]
        except KeyError:
            raise CurrencyNotConfigured(code) from None

    def fee_policy(self, code: str) -> FeePolicy:
        return self.currency(code).fee

    def withdrawal_cap(self, code: str) -> int:
        """The global cap per withdrawal request (see `withdrawal_cap_for` for a campaign)."""
        return self.currency(code).withdrawal_cap

    def minimum_withdrawal(self, code: str) -> int:
        return self.currency(code).minimum_withdrawal

    def as_dict(self) -> dict[str, Any]:
        return {
            "fx_margin_bps": self.fx_margin_bps,
            "max_rate_age_seconds": self.max_rate_age_seconds,
            "currencies": {code: c.as_dict() for code, c in sorted(self.currencies.items())},
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SettingsSnapshot:
        return cls(
            fx_margin_bps=data["fx_margin_bps"],
            max_rate_age_seconds=data["max_rate_age_seconds"],
            currencies={
                code: CurrencyConfig(
                    code=code,
                    withdrawal_cap=values["withdrawal_cap"],
                    minimum_withdrawal=values["minimum_withdrawal"],
                    fee=FeePolicy(**values["fee"]),
                )
                for code, values in data["currencies"].items()
            },
            updated_at=parse_datetime(data["updated_at"]) if data.get("updated_at") else None,
        )


def _ensure_rows() -> PlatformSettings:
    """The settings record, created on first access with the defaults (and the rows of
    the reference currencies that exist but have none, as after a test database flush)."""
    from .defaults import seed_platform_settings

    row = PlatformSettings.objects.filter(pk=1).first()
    if row is None or not CurrencySettings.objects.exists():
        seed_platform_settings()
        row = PlatformSettings.objects.get(pk=1)
    return row


def load_platform_settings() -> SettingsSnapshot:
    """The settings read from the database, bypassing the cache."""
    row = _ensure_rows()
    currencies = {
        s.currency_id: CurrencyConfig(
            code=s.currency_id,
            withdrawal_cap=s.withdrawal_cap,
            minimum_withdrawal=s.minimum_withdrawal,
            fee=FeePolicy(percent_bps=s.fee_percent_bps, flat=s.fee_flat, cap=s.fee_cap),
        )
        for s in CurrencySettings.objects.all()
    }
    return SettingsSnapshot(
        fx_margin_bps=row.fx_margin_bps,
        max_rate_age_seconds=row.max_rate_age_seconds,
        currencies=currencies,
        updated_at=row.updated_at,
    )


def get_platform_settings() -> SettingsSnapshot:
    """The current settings, from the cache when it has them (no query)."""
    try:
        cached = cache.get(CACHE_KEY)
    except Exception as exc:  # the cache being down must not stop payments
        logger.warning("platform settings cache read failed: %s", exc)
        cached = None
    if cached is not None:
        try:
            return SettingsSnapshot.from_dict(cached)
        except (KeyError, TypeError, ValueError) as exc:  # an older shape: reload
            logger.warning("platform settings cache entry unreadable: %s", exc)
    snapshot = load_platform_settings()
    try:
        cache.add(CACHE_KEY, snapshot.as_dict(), timeout=django_settings.CACHE_TTL)
    except Exception as exc:
        logger.warning("platform settings cache write failed: %s", exc)
    return snapshot


def invalidate_platform_settings_cache() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception as exc:
        logger.warning("platform settings cache delete failed: %s", exc)


def withdrawal_cap_for(*, campaign_id: uuid.UUID | str, currency: str) -> int:
    """The cap per withdrawal request of a campaign: its own override, else the global cap
    of its currency."""
    override = (
        CampaignWithdrawalCap.objects.filter(campaign_id=campaign_id)
        .values_list("amount", flat=True)
        .first()
    )
    if override is not None:
        return override
    return get_platform_settings().withdrawal_cap(currency)


def settings_change_log(*, key_prefix: str = "") -> QuerySet[SettingsChangeLog]:
    entries = SettingsChangeLog.objects.select_related("actor").order_by("-created_at", "key")
    if key_prefix:
        entries = entries.filter(key__startswith=key_prefix)
    return entries


def withdrawal_cap_log(
    *, currency: str | None = None, campaign_id: uuid.UUID | str | None = None
) -> QuerySet[SettingsChangeLog]:
    """The change log narrowed to withdrawal caps: global ones per currency and
    per-campaign overrides."""
    entries = settings_change_log()
    if campaign_id is not None:
        return entries.filter(key=f"{CAMPAIGN_WITHDRAWAL_CAP_KEY}.{campaign_id}")
    if currency is not None:
        return entries.filter(key=f"{WITHDRAWAL_CAP_KEY}.{currency}")
    return entries.filter(
        Q(key__startswith=f"{WITHDRAWAL_CAP_KEY}.")
        | Q(key__startswith=f"{CAMPAIGN_WITHDRAWAL_CAP_KEY}.")
    )
