"""Platform fees: exact integer arithmetic, the gross-up when the donor covers the fee."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.core.errors import InvalidInput
from apps.fees.calculation import (
    MAX_AMOUNT,
    compute_breakdown,
    compute_donation_quote,
    compute_fee,
    compute_gross_up,
)
from apps.fees.policy import MAX_FEE_PERCENT_BPS, FeePolicy
from apps.platform_settings.pricing import fee_breakdown, fee_for, gross_up, quote_donation
from apps.platform_settings.selectors import CurrencyNotConfigured
from apps.platform_settings.services import platform_settings_update
from tests.factories import StaffFactory

NGN = FeePolicy(percent_bps=500, flat=5_000, cap=1_000_000)  # the seeded NGN policy

amounts = st.integers(min_value=0, max_value=10**13)
policies = st.builds(
    FeePolicy,
    percent_bps=st.integers(min_value=0, max_value=MAX_FEE_PERCENT_BPS),
    flat=st.integers(min_value=0, max_value=10**6),
    cap=st.one_of(st.none(), st.integers(min_value=0, max_value=10**8)),
)
wide = settings(max_examples=400, deadline=None)


# --- examples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        (100_000, 10_000),  # ₦1,000: 5% is ₦50, plus ₦50
        (10_000, 5_500),  # ₦100: ₦5 + ₦50
        (1_000_000_000, 1_000_000),  # ₦10m: capped at ₦10,000
        (3_000, 3_000),  # ₦30: the fee would be ₦51.50, but never more than the amount
        (0, 0),
    ],
)
def test_fee_examples(amount, fee):
    assert compute_fee(amount, NGN) == fee


def test_the_percentage_is_rounded_half_up_before_the_flat_part():
    five_percent = FeePolicy(percent_bps=500, flat=0)
    assert compute_fee(10, five_percent) == 1  # 0.5 -> 1
    assert compute_fee(9, five_percent) == 0  # 0.45 -> 0
    assert compute_fee(30, five_percent) == 2  # 1.5 -> 2
    assert compute_fee(29, five_percent) == 1  # 1.45 -> 1
    assert compute_fee(10, FeePolicy(percent_bps=500, flat=7)) == 8


def test_gross_up_example_nets_exactly_and_is_the_smallest():
    result = compute_gross_up(100_000, NGN)
    assert result.net == 100_000
    assert result.gross - result.fee == 100_000
    assert (result.gross - 1) - compute_fee(result.gross - 1, NGN) < 100_000
    assert result.gross == 110_526  # 5% of 110,526 = 5,526.3 -> 5,526; + 5,000 = 10,526


def test_gross_up_in_the_capped_range_adds_the_cap():
    result = compute_gross_up(500_000_000, NGN)
    assert (result.gross, result.fee) == (501_000_000, 1_000_000)


@pytest.mark.parametrize("bad", [-1, 1.5, 100.0, "100", None, True, MAX_AMOUNT + 1])
def test_bad_amounts_are_refused_naming_the_field(bad):
    with pytest.raises(InvalidInput) as refused:
        compute_fee(bad, NGN)
    assert "amount" in refused.value.fields
    with pytest.raises(InvalidInput):
        compute_gross_up(bad, NGN)


def test_a_policy_of_100_percent_or_negative_parts_cannot_be_built():
    with pytest.raises(ValueError):
        FeePolicy(percent_bps=10_000, flat=0)
    with pytest.raises(ValueError):
        FeePolicy(percent_bps=100, flat=-1)
    with pytest.raises(ValueError):
        FeePolicy(percent_bps=100, flat=0, cap=-1)


# --- properties ------------------------------------------------------------------------


@wide
@given(amount=amounts, policy=policies)
def test_fee_plus_net_is_gross_and_nothing_is_negative(amount, policy):
    result = compute_breakdown(amount, policy)
    assert result.gross == amount
    assert result.fee + result.net == result.gross
    assert 0 <= result.fee <= amount
    assert result.net >= 0
    if policy.cap is not None:
        assert result.fee <= policy.cap


@wide
@given(amount=amounts, policy=policies)
def test_the_fee_grows_by_at_most_one_minor_unit_per_minor_unit(amount, policy):
    # the reason a gross-up always lands exactly on the intended net
    assert compute_fee(amount + 1, policy) - compute_fee(amount, policy) in (0, 1)


@wide
@given(net=amounts, policy=policies)
def test_gross_up_nets_exactly_and_is_minimal(net, policy):
    result = compute_gross_up(net, policy)
    assert result.gross - compute_fee(result.gross, policy) == net
    assert result.gross - result.fee == result.net == net
    assert result.fee >= 0 and result.gross >= net
    if policy.cap is not None:
        assert result.fee <= policy.cap
    if result.gross > 0:  # one minor unit less would not be enough
        smaller = result.gross - 1
        assert smaller - compute_fee(smaller, policy) < net


@wide
@given(net=st.integers(min_value=0, max_value=10**6), policy=policies)
def test_gross_up_agrees_with_a_linear_search_on_small_amounts(net, policy):
    assume(policy.flat < 10**4)
    gross = net
    while gross - compute_fee(gross, policy) != net:
        gross += 1
    assert compute_gross_up(net, policy).gross == gross


@wide
@given(
    gift=st.integers(min_value=0, max_value=10**12),
    tip=st.integers(min_value=0, max_value=10**9),
    cover_fee=st.booleans(),
    policy=policies,
)
def test_a_donation_quote_balances(gift, tip, cover_fee, policy):
    quote = compute_donation_quote(
        gift=gift, tip=tip, cover_fee=cover_fee, currency="NGN", policy=policy
    )
    # what the donor pays is exactly what the campaign, the fee and the tip receive
    assert quote.charged == quote.net_to_campaign + quote.fee + quote.tip
    assert min(quote.charged, quote.net_to_campaign, quote.fee, quote.tip) >= 0
    if cover_fee:
        assert quote.net_to_campaign == gift
        assert quote.charged == gift + quote.fee + tip
        assert quote.fee == compute_fee(gift + quote.fee, policy)
    else:
        assert quote.charged == gift + tip
        assert quote.fee == compute_fee(gift, policy)
        assert quote.net_to_campaign == gift - quote.fee


# --- under the settings ----------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    amount=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["NGN", "USD", "GHS", "KES", "ZAR"]),
)
def test_the_seeded_policies_keep_every_property(seeded, amount, currency):
    result = fee_breakdown(amount, currency)
    assert result.fee + result.net == amount and result.net >= 0
    assert result.fee == fee_for(amount, currency)
    up = gross_up(amount, currency)
    assert up.gross - up.fee == amount


@pytest.mark.django_db
def test_fees_follow_the_settings_the_moment_they_change(seeded):
    assert fee_for(100_000, "NGN") == 10_000
    platform_settings_update(
        actor=StaffFactory(), changes={"fee_percent_bps.NGN": 300, "fee_flat.NGN": 0}
    )
    assert fee_for(100_000, "NGN") == 3_000
    quote = quote_donation(gift=100_000, tip=2_000, cover_fee=True, currency="NGN")
    assert quote.as_dict() == {
        "currency": "NGN",
        "gift": 100_000,
        "fee": 3_093,  # 3% of 103,093 = 3,092.79 -> 3,093
        "tip": 2_000,
        "cover_fee": True,
        "charged": 105_093,
        "net_to_campaign": 100_000,
    }


@pytest.mark.django_db
def test_a_currency_without_settings_takes_no_fee_silently(seeded):
    from apps.currency.models import Currency

    Currency.objects.create(
        code="XOF", name="CFA franc", exponent=0, symbol="CFA", minimum_donation=500
    )
    with pytest.raises(CurrencyNotConfigured) as refused:
        fee_for(10_000, "XOF")
    assert "currency" in refused.value.fields
