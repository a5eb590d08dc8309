"""The platform's fee and exchange-rate policies, applied.

`apps.fees.calculation` and `apps.currency.conversion` take the policy as an argument
and never read platform settings (they sit below this app; docs/architecture.md). These
are the calls services use: each reads the current policy from the cached settings
snapshot and passes it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apps.currency.conversion import (
    Conversion,
    RatePolicy,
    convert_with_policy,
    convertible_pairs,
)
from apps.currency.selectors import CurrencyInfo, currency_all
from apps.fees.calculation import (
    DonationQuote,
    FeeBreakdown,
    compute_breakdown,
    compute_donation_quote,
    compute_fee,
    compute_gross_up,
)
from apps.fees.policy import FeePolicy

from .selectors import get_platform_settings


def fee_policy_for(currency: str) -> FeePolicy:
    """The fee policy of `currency`; `CurrencyNotConfigured` when it has none."""
    return get_platform_settings().fee_policy(currency)


def fee_for(amount: int, currency: str) -> int:
    """The platform fee on `amount` (minor units of `currency`)."""
    return compute_fee(amount, fee_policy_for(currency))


def fee_breakdown(amount: int, currency: str) -> FeeBreakdown:
    """The fee taken from `amount`: gross is the amount, net what is left."""
    return compute_breakdown(amount, fee_policy_for(currency))


def gross_up(net: int, currency: str) -> FeeBreakdown:
    """What to charge so that, after the fee, exactly `net` is left (donor covers the fee)."""
    return compute_gross_up(net, fee_policy_for(currency))


def quote_donation(
    *, gift: int, tip: int = 0, cover_fee: bool = False, currency: str
) -> DonationQuote:
    """The charge and the split of a donation: gift, fee, tip, charged, net to the campaign."""
    return compute_donation_quote(
        gift=gift, tip=tip, cover_fee=cover_fee, currency=currency, policy=fee_policy_for(currency)
    )


def rate_policy() -> RatePolicy:
    """The platform's FX margin and the oldest exchange rate it accepts."""
    snapshot = get_platform_settings()
    return RatePolicy(
        fx_margin_bps=snapshot.fx_margin_bps, max_rate_age_seconds=snapshot.max_rate_age_seconds
    )


def convert(
    amount: int, from_currency: str, to_currency: str, *, at: datetime | None = None
) -> Conversion:
    """Convert at the platform's adjusted rate (`apps.currency.conversion` module doc)."""
    return convert_with_policy(amount, from_currency, to_currency, policy=rate_policy(), at=at)


@dataclass(frozen=True)
class CurrencyAvailability:
    """An enabled currency and where donations can go right now.

    `donate_to`: the campaign currencies a gift in this currency can be given to now (a
    campaign in the same currency, or one a fresh rate converts to); empty when the
    currency has no fee settings. `receive_from`: the currencies a donor can give in to a
    campaign in this currency now. `can_donate`: `donate_to` is not empty.
    """

    currency: CurrencyInfo
    donate_to: list[str]
    receive_from: list[str]

    @property
    def can_donate(self) -> bool:
        return bool(self.donate_to)


def currency_availability(*, at: datetime | None = None) -> list[CurrencyAvailability]:
    """Every enabled currency by code with where donations can go at `at` (now), as
    `apps.donations` would price them: the donor's currency must be enabled and have fee
    settings, and `convert` must find a fresh rate (rules of `apps.currency.conversion`).
    Cached currencies and settings and one query over the rates, for any number of them."""
    listed = [c for _, c in sorted(currency_all().items()) if c.enabled]
    codes = [c.code for c in listed]
    configured = set(get_platform_settings().currencies)
    pairs = convertible_pairs(codes, policy=rate_policy(), at=at)

    def can(source: str, target: str) -> bool:
        return source in configured and (source, target) in pairs

    return [
        CurrencyAvailability(
            currency=info,
            donate_to=[target for target in codes if can(info.code, target)],
            receive_from=[source for source in codes if can(source, info.code)],
        )
        for info in listed
    ]
