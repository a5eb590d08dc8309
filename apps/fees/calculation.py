"""Platform fee arithmetic, in integer minor units.

The fee on an amount is::

    fee = min(round_half_up(amount * percent_bps / 10000) + flat, cap, amount)

The percentage part is rounded half-up to the minor unit once, before the flat part is
added; the cap (if any) then applies; and a fee never exceeds the amount it is taken
from, so what is left is never negative.

`net = amount - fee` grows by 0 or 1 minor unit for each minor unit of amount (the fee
grows by 0 or 1, because percent_bps < 10000), starting from 0. So for every net >= 0
there is a smallest gross with `gross - fee(gross) == net` exactly: `gross_up` finds
it by bisection.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from apps.core.errors import InvalidInput

from .policy import BPS_DENOMINATOR, FeePolicy

# Far above any real donation (10^13 naira in kobo) and far below a 64-bit column.
MAX_AMOUNT = 10**15


@dataclass(frozen=True)
class FeeBreakdown:
    gross: int
    fee: int
    net: int


@dataclass(frozen=True)
class DonationQuote:
    """What a donor is charged and where it goes.

    `charged = gift + tip (+ fee when the donor covers it)`; the campaign nets the gift
    when the donor covers the fee, else the gift less the fee. The tip is the
    platform's and carries no fee. `charged == net_to_campaign + fee + tip` always.
    """

    currency: str
    gift: int
    fee: int
    tip: int
    cover_fee: bool
    charged: int
    net_to_campaign: int

    def as_dict(self) -> dict:
        return asdict(self)


def _check_amount(value: object, field: str) -> int:
    if type(value) is not int:
        raise InvalidInput(
            f"{field} must be a whole number of minor units.",
            code="invalid_amount",
            fields={field: ["Must be a whole number of minor units."]},
        )
    if value < 0:
        raise InvalidInput(
            f"{field} cannot be negative.",
            code="invalid_amount",
            fields={field: ["Cannot be negative."]},
        )
    if value > MAX_AMOUNT:
        raise InvalidInput(
            f"{field} is too large.",
            code="invalid_amount",
            fields={field: [f"Must be at most {MAX_AMOUNT}."]},
        )
    return value


def compute_fee(amount: int, policy: FeePolicy) -> int:
    """The fee on `amount` under `policy` (see the module docstring)."""
    return _fee(_check_amount(amount, "amount"), policy)


def _fee(amount: int, policy: FeePolicy) -> int:
    # round half-up of amount * bps / 10000, in integers (amount >= 0)
    percentage = (amount * policy.percent_bps + BPS_DENOMINATOR // 2) // BPS_DENOMINATOR
    fee = percentage + policy.flat
    if policy.cap is not None:
        fee = min(fee, policy.cap)
    return min(fee, amount)


def compute_breakdown(amount: int, policy: FeePolicy) -> FeeBreakdown:
    fee = compute_fee(amount, policy)
    return FeeBreakdown(gross=amount, fee=fee, net=amount - fee)


def compute_gross_up(net: int, policy: FeePolicy) -> FeeBreakdown:
    """The smallest gross whose fee leaves exactly `net`."""
    _check_amount(net, "amount")
    # gross - fee(gross) is non-decreasing in gross, so bisect for the first gross that
    # reaches `net`; it reaches it exactly because it climbs in steps of 0 or 1.
    low = net  # the fee is never negative, so gross >= net
    # An upper bound where the net is at least `net`: without the cap the net is at
    # least gross * (1 - bps/10000) - 0.5 - flat; with it, gross - cap.
    high = (net + policy.flat + 1) * BPS_DENOMINATOR // (BPS_DENOMINATOR - policy.percent_bps) + 1
    if policy.cap is not None:
        high = min(high, net + policy.cap)
    while low < high:
        middle = (low + high) // 2
        if middle - _fee(middle, policy) >= net:
            high = middle
        else:
            low = middle + 1
    if low > MAX_AMOUNT:
        raise InvalidInput(
            "amount is too large.",
            code="invalid_amount",
            fields={"amount": ["The amount with the fee would be too large."]},
        )
    fee = _fee(low, policy)
    if low - fee != net:  # impossible by the argument above; never charge a wrong amount
        raise ArithmeticError(f"gross-up of {net} under {policy} did not net exactly")
    return FeeBreakdown(gross=low, fee=fee, net=net)


def compute_donation_quote(
    *, gift: int, tip: int, cover_fee: bool, currency: str, policy: FeePolicy
) -> DonationQuote:
    _check_amount(gift, "amount")
    _check_amount(tip, "tip_amount")
    if cover_fee:
        fee = compute_gross_up(gift, policy).fee
        net_to_campaign = gift
        charged = gift + fee + tip
    else:
        fee = compute_fee(gift, policy)
        net_to_campaign = gift - fee
        charged = gift + tip
    return DonationQuote(
        currency=currency,
        gift=gift,
        fee=fee,
        tip=tip,
        cover_fee=bool(cover_fee),
        charged=charged,
        net_to_campaign=net_to_campaign,
    )
