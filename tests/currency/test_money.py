"""Minor units to text and back, Decimal to minor units: one helper for all of it."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.errors import InvalidInput
from apps.currency.money import (
    MAX_MINOR_UNITS,
    MoneyFormatError,
    format_money,
    from_minor,
    parse_money,
    to_minor,
)
from apps.currency.selectors import UnknownCurrency, currency_enabled_codes, currency_get
from apps.currency.services import currency_update

pytestmark = pytest.mark.django_db
hypothesis_settings = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (123_450, "NGN", "₦1,234.50"),
        (5, "USD", "$0.05"),
        (0, "NGN", "₦0.00"),
        (100_000, "KES", "KSh 1,000.00"),
        (1_999_999, "GHS", "GH₵19,999.99"),
        (1_000, "ZAR", "R10.00"),
        (-300, "NGN", "-₦3.00"),
        (123_456_789_012, "NGN", "₦1,234,567,890.12"),
    ],
)
def test_format(seeded, amount, currency, text):
    assert format_money(amount, currency) == text


def test_format_follows_the_exponent(jpy, kwd):
    assert format_money(1_234, "JPY") == "¥1,234"
    assert format_money(1_234_567, "KWD") == "KD 1,234.567"


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("₦1,234.50", "NGN", 123_450),
        ("1234.5", "NGN", 123_450),
        ("1234", "NGN", 123_400),
        ("  12 ", "NGN", 1_200),
        ("NGN 1,000", "NGN", 100_000),
        ("ngn1000.01", "NGN", 100_001),
        ("$0.05", "USD", 5),
        ("KSh 1,000.00", "KES", 100_000),
        ("GH₵ 3.1", "GHS", 310),
        ("0", "USD", 0),
    ],
)
def test_parse(seeded, text, currency, amount):
    assert parse_money(text, currency) == amount


@pytest.mark.parametrize(
    ("text", "currency", "problem"),
    [
        ("1.234", "NGN", "2 decimal places"),
        ("5.0", "JPY", "0 decimal places"),
        ("-5", "NGN", "negative"),
        ("₦-5.00", "NGN", "negative"),
        ("-₦5.00", "NGN", "negative"),
        ("abc", "NGN", "Not an amount"),
        ("", "NGN", "Not an amount"),
        ("1,23", "NGN", "Not an amount"),
        ("1,2345", "NGN", "Not an amount"),
        ("1.2.3", "NGN", "Not an amount"),
        ("1.", "NGN", "Not an amount"),
        (".5", "NGN", "Not an amount"),
        ("1e5", "NGN", "Not an amount"),
        ("+5", "NGN", "Not an amount"),
        ("١٢٣", "NGN", "Not an amount"),  # digits of another script
        ("$5", "NGN", "Not an amount"),  # another currency's symbol
        ("NaN", "NGN", "Not an amount"),
        ("9" * 20, "NGN", "Too large"),
        ("1" * 100, "NGN", "Not an amount"),
    ],
)
def test_parse_refuses(seeded, jpy, text, currency, problem):
    with pytest.raises(MoneyFormatError) as refused:
        parse_money(text, currency)
    assert problem in refused.value.fields["amount"][0]
    # one exception for both kinds of caller
    assert isinstance(refused.value, ValueError)
    assert isinstance(refused.value, InvalidInput)


def test_parse_refuses_a_non_string(seeded):
    with pytest.raises(MoneyFormatError):
        parse_money(12.5, "NGN")


def test_unknown_currency_names_the_field(seeded):
    with pytest.raises(UnknownCurrency) as refused:
        format_money(100, "EUR")
    assert "currency" in refused.value.fields
    with pytest.raises(UnknownCurrency):
        parse_money("1", "ngn")  # codes are exact


def test_format_takes_only_integers(seeded):
    for bad in (1.5, Decimal("1.5"), "100", True):
        with pytest.raises(TypeError):
            format_money(bad, "NGN")


@hypothesis_settings
@given(
    amount=st.integers(min_value=0, max_value=MAX_MINOR_UNITS),
    currency=st.sampled_from(["NGN", "USD", "GHS", "KES", "ZAR", "JPY", "KWD"]),
)
def test_format_then_parse_is_the_identity(jpy, kwd, amount, currency):
    assert parse_money(format_money(amount, currency), currency) == amount


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        (Decimal("1.005"), "NGN", 101),  # half-up
        (Decimal("1.004999"), "NGN", 100),
        (Decimal("-1.005"), "NGN", -101),  # half away from zero
        (Decimal("2.5"), "JPY", 3),
        (Decimal("3.5"), "JPY", 4),  # not banker's rounding
        (Decimal("0.0005"), "KWD", 1),
        (Decimal("1234.50"), "NGN", 123_450),
        (7, "USD", 700),
    ],
)
def test_to_minor_rounds_half_up_once(jpy, kwd, value, currency, minor):
    assert to_minor(value, currency) == minor


def test_to_minor_refuses_floats_and_non_numbers(seeded):
    for bad in (1.005, "1.00", True, Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises((TypeError, ValueError)):
            to_minor(bad, "NGN")


def test_from_minor_is_exact(jpy, kwd):
    assert from_minor(123_450, "NGN") == Decimal("1234.50")
    assert str(from_minor(5, "USD")) == "0.05"
    assert from_minor(1_234, "JPY") == Decimal(1234)
    assert from_minor(1, "KWD") == Decimal("0.001")


@hypothesis_settings
@given(
    amount=st.integers(min_value=-MAX_MINOR_UNITS, max_value=MAX_MINOR_UNITS),
    currency=st.sampled_from(["NGN", "JPY", "KWD"]),
)
def test_from_minor_then_to_minor_is_the_identity(jpy, kwd, amount, currency):
    assert to_minor(from_minor(amount, currency), currency) == amount


def test_currency_lookups_are_cached(seeded, django_assert_num_queries):
    currency_get("NGN")
    with django_assert_num_queries(0):
        assert currency_get("USD").symbol == "$"
        assert format_money(100, "GHS") == "GH₵1.00"


def test_a_currency_added_after_the_cache_was_filled_is_found(seeded):
    from apps.currency.models import Currency

    currency_get("NGN")
    Currency.objects.create(
        code="XAF", name="CFA franc", exponent=0, symbol="FCFA", minimum_donation=500
    )
    assert currency_get("XAF").exponent == 0


def test_switching_a_currency_off_is_seen_at_once(seeded):
    assert "GHS" in currency_enabled_codes()
    currency_update(code="GHS", enabled=False, minimum_donation=2_000)
    assert "GHS" not in currency_enabled_codes()
    assert currency_get("GHS").minimum_donation == 2_000


def test_currency_update_refuses_bad_values(seeded):
    with pytest.raises(InvalidInput) as refused:
        currency_update(code="NGN", minimum_donation=0)
    assert "minimum_donation" in refused.value.fields
    with pytest.raises(UnknownCurrency):
        currency_update(code="EUR", enabled=True)
