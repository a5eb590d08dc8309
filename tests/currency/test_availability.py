"""GET /v1/currencies: which currencies can be donated, to what, right now.

What the list says must be what a donation would find: for every pair it calls
possible, the platform's `convert` succeeds, and for every other it refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.currency.conversion import ExchangeRateUnavailable
from apps.currency.models import ExchangeRate
from apps.currency.services import (
    currency_update,
    exchange_rate_record_manual,
    exchange_rate_revoke,
)
from apps.platform_settings.models import CurrencySettings
from apps.platform_settings.pricing import convert
from apps.platform_settings.selectors import invalidate_platform_settings_cache
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def listing() -> dict[str, dict]:
    response = APIClient().get("/v1/currencies")
    assert response.status_code == 200, response.content
    return {c["code"]: c for c in response.json()["results"]}


def fetched(base: str, quote: str, rate: str, *, age: timedelta = timedelta(0)) -> None:
    ExchangeRate.objects.create(
        base_id=base,
        quote_id=quote,
        rate=Decimal(rate),
        source="openexchangerates",
        fetched_at=timezone.now() - age,
    )


def assert_agrees_with_convert(currencies: dict[str, dict]) -> None:
    for source, row in currencies.items():
        for target in currencies:
            if target in row["donate_to"]:
                convert(10_000, source, target)
            elif source != target:
                with pytest.raises(ExchangeRateUnavailable):
                    convert(10_000, source, target)


def test_without_rates_each_currency_goes_only_to_its_own_campaigns(seeded):
    currencies = listing()

    for code, row in currencies.items():
        assert (row["can_donate"], row["donate_to"], row["receive_from"]) == (True, [code], [code])


def test_a_rate_opens_the_pair_both_ways(seeded):
    exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")

    currencies = listing()

    assert currencies["USD"]["donate_to"] == ["NGN", "USD"]
    assert currencies["NGN"]["donate_to"] == ["NGN", "USD"]  # the inverse rate serves too
    assert currencies["NGN"]["receive_from"] == ["NGN", "USD"]
    assert currencies["GHS"]["donate_to"] == ["GHS"]
    assert_agrees_with_convert(currencies)


def test_two_rates_through_the_base_currency_make_a_cross_rate(seeded):
    fetched("USD", "NGN", "1500")
    fetched("USD", "GHS", "15")

    currencies = listing()

    assert currencies["GHS"]["donate_to"] == ["GHS", "NGN", "USD"]
    assert currencies["NGN"]["receive_from"] == ["GHS", "NGN", "USD"]
    assert currencies["KES"]["donate_to"] == ["KES"]
    assert_agrees_with_convert(currencies)


def test_stale_and_revoked_rates_open_nothing(seeded):
    fetched("USD", "NGN", "1500", age=timedelta(days=30))
    staff = StaffFactory()
    revoked = exchange_rate_record_manual(actor=staff, base="USD", quote="GHS", rate="15")
    exchange_rate_revoke(actor=staff, rate_id=revoked.pk)

    currencies = listing()

    assert currencies["USD"]["donate_to"] == ["USD"]
    assert_agrees_with_convert(currencies)


def test_a_currency_without_fee_settings_cannot_be_donated_in(seeded):
    exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")
    CurrencySettings.objects.filter(currency_id="USD").delete()
    invalidate_platform_settings_cache()

    currencies = listing()

    assert (currencies["USD"]["can_donate"], currencies["USD"]["donate_to"]) == (False, [])
    # naira campaigns still take naira, not dollars
    assert currencies["NGN"]["receive_from"] == ["NGN"]
    # a dollar campaign can still be given naira: the fee is charged in naira
    assert currencies["USD"]["receive_from"] == ["NGN"]


def test_a_disabled_currency_is_neither_listed_nor_offered(seeded):
    exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")
    currency_update(code="USD", enabled=False)

    currencies = listing()

    assert "USD" not in currencies
    assert currencies["NGN"]["receive_from"] == ["NGN"]


def test_the_list_costs_the_same_queries_however_many_rates(seeded, django_assert_max_num_queries):
    listing()  # warms the currency and settings caches
    with django_assert_max_num_queries(1) as few:
        listing()
    for quote in ("NGN", "GHS", "KES", "ZAR"):
        fetched("USD", quote, "10")
        fetched("USD", quote, "11", age=timedelta(minutes=5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        currencies = listing()
    assert all(len(row["donate_to"]) == 5 for row in currencies.values())
