"""convert(): the newest adjusted rate, manual first, inverse and cross pairs, half-up
once, and refusal of a rate that is too old."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput
from apps.currency.conversion import ExchangeRateUnavailable
from apps.currency.models import ExchangeRate
from apps.currency.selectors import UnknownCurrency
from apps.currency.services import exchange_rate_record_manual, exchange_rate_revoke
from apps.platform_settings.pricing import convert
from apps.platform_settings.services import platform_settings_update
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PROVIDER = "api.rates.test"
MAX_AGE = timedelta(hours=6)  # the seeded maximum rate age


@pytest.fixture
def staff(seeded):
    return StaffFactory(email="fx-desk@krogiving.test")


@pytest.fixture
def no_margin(staff):
    platform_settings_update(actor=staff, changes={"fx_margin_bps": 0})


def rate(base, quote, value, *, age=timedelta(minutes=1), source=PROVIDER, by=None):
    return ExchangeRate.objects.create(
        base_id=base,
        quote_id=quote,
        rate=Decimal(value),
        source=source,
        fetched_at=timezone.now() - age,
        created_by=by,
    )


def test_same_currency_is_the_identity_and_needs_no_rate(seeded):
    result = convert(12_345, "NGN", "NGN")
    assert (result.amount, result.rate, result.source, result.rate_id) == (
        12_345,
        Decimal(1),
        "identity",
        None,
    )


def test_direct_rate_less_the_margin(seeded):
    row = rate("USD", "NGN", "1500")
    result = convert(100, "USD", "NGN")  # $1.00
    assert result.market_rate == Decimal("1500")
    assert result.rate == Decimal("1477.5")  # 1500 * (10000 - 150) / 10000
    assert result.amount == 147_750  # ₦1,477.50
    assert (result.rate_id, result.source, result.margin_bps) == (row.id, PROVIDER, 150)
    assert result.currency == "NGN" and result.from_amount == 100


def test_the_margin_comes_from_the_settings(no_margin):
    rate("USD", "NGN", "1500")
    assert convert(100, "USD", "NGN").amount == 150_000


def test_the_inverse_pair_uses_one_over_the_rate(seeded):
    row = rate("USD", "NGN", "1600")
    result = convert(160_000, "NGN", "USD")  # ₦1,600
    assert result.market_rate == Decimal(1) / Decimal(1600)
    assert result.rate == Decimal("0.000615625")  # 1/1600 * 0.985
    assert result.amount == 99  # 98.5 cents, rounded half-up
    assert result.rate_id == row.id


@pytest.mark.parametrize(
    ("stored", "amount", "expected"),
    [
        ("1500.005", 100, 150_001),  # 150000.5 -> up
        ("1500.004", 100, 150_000),  # 150000.4 -> down
        ("1500.0049999", 100, 150_000),
        ("0.125", 100, 13),  # 12.5 -> 13
        ("0.135", 100, 14),  # 13.5 -> 14 (not to even)
    ],
)
def test_rounding_is_half_up_to_the_minor_unit(no_margin, stored, amount, expected):
    rate("USD", "NGN", stored)
    assert convert(amount, "USD", "NGN").amount == expected


def test_a_rate_older_than_the_maximum_age_is_refused(seeded):
    rate("USD", "NGN", "1500", age=MAX_AGE + timedelta(seconds=1))
    with pytest.raises(ExchangeRateUnavailable) as refused:
        convert(100, "USD", "NGN")
    assert refused.value.code == "exchange_rate_stale"
    assert refused.value.status_code == 503
    assert refused.value.extra == {"pair": "USD/NGN"}
    with pytest.raises(ExchangeRateUnavailable):
        convert(100, "NGN", "USD")  # nor is its inverse used


def test_a_rate_just_within_the_maximum_age_is_used(seeded):
    rate("USD", "NGN", "1500", age=MAX_AGE - timedelta(seconds=5))
    assert convert(100, "USD", "NGN").amount == 147_750


def test_the_maximum_age_comes_from_the_settings(staff):
    rate("USD", "NGN", "1500", age=timedelta(minutes=30))
    platform_settings_update(actor=staff, changes={"max_rate_age_seconds": 600})
    with pytest.raises(ExchangeRateUnavailable):
        convert(100, "USD", "NGN")


def test_no_rate_at_all_is_refused_as_missing(seeded):
    with pytest.raises(ExchangeRateUnavailable) as refused:
        convert(100, "USD", "KES")
    assert refused.value.code == "exchange_rate_missing"


def test_a_manual_rate_beats_a_newer_fetched_one(staff):
    rate("USD", "NGN", "1500", age=timedelta(minutes=1))
    manual = rate("USD", "NGN", "1400", age=timedelta(hours=2), source="manual", by=staff)
    result = convert(100, "USD", "NGN")
    assert (result.market_rate, result.source, result.rate_id) == (
        Decimal(1400),
        "manual",
        manual.id,
    )


def test_a_manual_rate_on_the_inverse_pair_also_wins(staff):
    rate("USD", "NGN", "1500")
    manual = rate("NGN", "USD", "0.0008", age=timedelta(hours=1), source="manual", by=staff)
    result = convert(100, "USD", "NGN")
    assert result.rate_id == manual.id
    assert result.market_rate == Decimal(1250)


def test_a_stale_manual_rate_gives_way_to_a_fresh_fetched_one(staff):
    fetched = rate("USD", "NGN", "1500")
    rate("USD", "NGN", "1400", age=MAX_AGE + timedelta(minutes=1), source="manual", by=staff)
    assert convert(100, "USD", "NGN").rate_id == fetched.id


def test_the_newest_manual_rate_wins_and_a_revoked_one_is_ignored(staff):
    fetched = rate("USD", "NGN", "1500")
    rate("USD", "NGN", "1400", age=timedelta(hours=1), source="manual", by=staff)
    newest = exchange_rate_record_manual(actor=staff, base="USD", quote="NGN", rate="1450")
    assert convert(100, "USD", "NGN").rate_id == newest.id
    exchange_rate_revoke(actor=staff, rate_id=newest.id)
    assert convert(100, "USD", "NGN").market_rate == Decimal(1400)
    ExchangeRate.objects.filter(source="manual").update(revoked_at=timezone.now())
    assert convert(100, "USD", "NGN").rate_id == fetched.id


def test_the_newest_fetched_rate_wins_among_fetched_ones(seeded):
    rate("USD", "NGN", "1500", age=timedelta(hours=1))
    newest = rate("USD", "NGN", "1510", age=timedelta(minutes=5))
    assert convert(100, "USD", "NGN").rate_id == newest.id


def test_currencies_with_different_exponents(no_margin, jpy, kwd):
    rate("USD", "JPY", "150")
    rate("USD", "KWD", "0.307")
    assert convert(100, "USD", "JPY").amount == 150  # $1 -> ¥150
    assert convert(1, "JPY", "USD").amount == 1  # 0.667 cents -> 1
    assert convert(149, "JPY", "USD").amount == 99  # 99.33 cents -> 99
    assert convert(100, "USD", "KWD").amount == 307  # $1 -> 0.307 KD = 307 fils
    assert convert(307, "KWD", "USD").amount == 100


def test_a_cross_rate_goes_through_the_provider_base_with_the_margin_once(seeded):
    usd_ngn = rate("USD", "NGN", "1500")
    usd_ghs = rate("USD", "GHS", "15")
    result = convert(1_000, "GHS", "NGN")  # GH₵10
    assert result.market_rate == Decimal(100)
    assert result.rate == Decimal("98.5")  # not 100 * 0.985 * 0.985
    assert result.amount == 98_500  # ₦985
    assert result.rate_ids == (usd_ghs.id, usd_ngn.id)
    assert result.rate_id == usd_ghs.id


def test_the_pairs_own_rate_beats_a_cross_rate(staff):
    rate("USD", "NGN", "1500")
    rate("USD", "GHS", "15")
    own = rate("GHS", "NGN", "110", age=timedelta(hours=1))
    assert convert(1_000, "GHS", "NGN").rate_id == own.id


def test_a_cross_rate_with_a_stale_leg_is_refused(seeded):
    rate("USD", "NGN", "1500")
    rate("USD", "GHS", "15", age=MAX_AGE + timedelta(minutes=1))
    with pytest.raises(ExchangeRateUnavailable) as refused:
        convert(1_000, "GHS", "NGN")
    assert refused.value.code == "exchange_rate_stale"


def test_at_converts_with_the_rates_of_that_moment(seeded):
    rate("USD", "NGN", "1400", age=timedelta(hours=3))
    rate("USD", "NGN", "1500", age=timedelta(minutes=1))
    two_hours_ago = timezone.now() - timedelta(hours=2)
    assert convert(100, "USD", "NGN", at=two_hours_ago).market_rate == Decimal(1400)
    with pytest.raises(ExchangeRateUnavailable):
        convert(100, "USD", "NGN", at=timezone.now() - timedelta(hours=10))


def test_large_amounts_keep_every_minor_unit(no_margin):
    rate("USD", "NGN", "1532.123456789012345678")
    assert convert(10**13, "USD", "NGN").amount == 15_321_234_567_890_123  # 10^13 * rate
    result = convert(153_212_345_678_901, "NGN", "USD")
    expected = Decimal(153_212_345_678_901) / Decimal("1532.123456789012345678")
    assert result.amount == int(expected.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@pytest.mark.parametrize("bad", [-1, 1.5, "100", None, True])
def test_bad_amounts_are_refused(seeded, bad):
    with pytest.raises(InvalidInput) as refused:
        convert(bad, "USD", "NGN")
    assert "amount" in refused.value.fields


def test_unknown_currencies_name_the_side(seeded):
    with pytest.raises(UnknownCurrency) as refused:
        convert(100, "USD", "EUR")
    assert "to_currency" in refused.value.fields
    with pytest.raises(UnknownCurrency) as refused:
        convert(100, "usd", "NGN")
    assert "from_currency" in refused.value.fields


def test_a_manual_rate_records_who_entered_it(staff):
    row = exchange_rate_record_manual(actor=staff, base="USD", quote="NGN", rate=Decimal("1532.5"))
    assert (row.source, row.created_by, row.rate) == ("manual", staff, Decimal("1532.5"))


@pytest.mark.parametrize(
    ("base", "quote", "value", "field"),
    [
        ("USD", "NGN", 1532.5, "rate"),  # a float has already lost digits
        ("USD", "NGN", "0", "rate"),
        ("USD", "NGN", "-3", "rate"),
        ("USD", "NGN", "abc", "rate"),
        ("USD", "NGN", "1e13", "rate"),
        ("USD", "NGN", "1e-30", "rate"),
        ("USD", "USD", "1", "quote"),
        ("EUR", "NGN", "1", "base"),
    ],
)
def test_bad_manual_rates_are_refused(staff, base, quote, value, field):
    with pytest.raises(InvalidInput) as refused:
        exchange_rate_record_manual(actor=staff, base=base, quote=quote, rate=value)
    assert field in refused.value.fields
    assert not ExchangeRate.objects.exists()


def test_only_manual_rates_can_be_revoked(staff):
    fetched = rate("USD", "NGN", "1500")
    with pytest.raises(Conflict) as refused:
        exchange_rate_revoke(actor=staff, rate_id=fetched.id)
    assert refused.value.code == "not_manual_rate"
