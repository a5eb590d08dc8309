"""Fetching market rates over HTTP (faked with `responses`) and the refresh task."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
import responses
from django.utils import timezone

from apps.currency.models import ExchangeRate, RateRefresh
from apps.currency.providers import HttpRateProvider, RateProviderError, parse_rates_body
from apps.currency.tasks import refresh_exchange_rates
from apps.platform_settings.pricing import convert

pytestmark = pytest.mark.django_db

URL = "https://api.rates.test/latest"
KEY = "rates-key-0001"
ENABLED = {"GHS", "KES", "NGN", "ZAR"}  # the seeded enabled currencies other than USD


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def provider_settings(settings, seeded):
    settings.EXCHANGE_RATES_URL = URL
    settings.EXCHANGE_RATES_API_KEY = KEY
    settings.EXCHANGE_RATES_API_KEY_PARAM = "access_key"
    settings.EXCHANGE_RATES_BASE = "USD"
    settings.EXCHANGE_RATES_TIMEOUT_SECONDS = 2.0


@pytest.fixture
def old_rate(seeded):
    """A rate fetched an hour ago: still usable, and it must survive a failed refresh."""
    return ExchangeRate.objects.create(
        base_id="USD",
        quote_id="NGN",
        rate=Decimal("1500"),
        source="api.rates.test",
        fetched_at=timezone.now() - timedelta(hours=1),
    )


GOOD_BODY = """{
  "success": true,
  "base": "USD",
  "timestamp": 1732615200,
  "rates": {
    "NGN": 1532.123456789012345678,
    "GHS": 15.3,
    "KES": 129.45,
    "ZAR": 18.0712,
    "EUR": 0.95
  }
}"""


def test_a_refresh_stores_each_enabled_currency_exactly(http, provider_settings):
    call = http.get(URL, body=GOOD_BODY, content_type="application/json")
    assert refresh_exchange_rates() == "succeeded"
    request = call.calls[0].request
    assert request.params["base"] == "USD"
    assert set(request.params["symbols"].split(",")) == ENABLED
    assert request.params["access_key"] == KEY
    stored = {r.quote_id: r for r in ExchangeRate.objects.all()}
    assert set(stored) == ENABLED  # EUR is not a currency of ours
    # read as Decimal from the text: a float would have kept ~16 digits
    assert stored["NGN"].rate == Decimal("1532.123456789012345678")
    assert stored["GHS"].rate == Decimal("15.3")
    assert float("1532.123456789012345678") != Decimal("1532.123456789012345678")
    assert stored["NGN"].source == "api.rates.test"
    assert stored["NGN"].provider_time == datetime(2024, 11, 26, 10, 0, tzinfo=UTC)
    refresh = RateRefresh.objects.get()
    assert (refresh.status, refresh.rates_stored, refresh.error) == ("succeeded", 4, "")
    assert convert(100, "USD", "GHS").market_rate == Decimal("15.3")


def test_the_key_travels_under_the_configured_parameter(http, provider_settings, settings):
    settings.EXCHANGE_RATES_API_KEY_PARAM = "app_id"
    call = http.get(URL, body=GOOD_BODY)
    refresh_exchange_rates()
    assert call.calls[0].request.params["app_id"] == KEY


def _assert_kept_old_rates(old_rate, caplog, *, status="failed"):
    assert list(ExchangeRate.objects.all()) == [old_rate]
    assert convert(100, "USD", "NGN").rate_id == old_rate.id
    refresh = RateRefresh.objects.get()
    assert refresh.status == status
    assert refresh.rates_stored == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("keeping the old rates" in r.getMessage() for r in warnings)
    return refresh


def test_a_server_error_keeps_the_old_rates(http, provider_settings, old_rate, caplog):
    http.get(URL, status=500, body="oops")
    assert refresh_exchange_rates() == "failed"
    refresh = _assert_kept_old_rates(old_rate, caplog)
    assert (refresh.http_status, refresh.error) == (500, "HTTP 500")


def test_a_timeout_keeps_the_old_rates(http, provider_settings, old_rate, caplog):
    http.get(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    assert refresh_exchange_rates() == "failed"
    refresh = _assert_kept_old_rates(old_rate, caplog)
    assert "no answer within 2s" in refresh.error


def test_a_connection_error_is_logged_without_the_key(http, provider_settings, old_rate, caplog):
    http.get(URL, body=requests.exceptions.ConnectionError(f"{URL}?access_key={KEY} refused"))
    refresh_exchange_rates()
    refresh = _assert_kept_old_rates(old_rate, caplog)
    assert KEY not in refresh.error
    assert all(KEY not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2, 3]",
        '{"base": "USD"}',
        '{"base": "USD", "rates": [1532.1]}',
        '{"base": "EUR", "rates": {"NGN": 1600}}',
        '{"success": false, "error": {"code": 101, "type": "invalid_access_key"}}',
        '{"base": "USD", "rates": {"NGN": NaN, "GHS": 15}}',
        "",
    ],
)
def test_a_malformed_answer_keeps_the_old_rates(http, provider_settings, old_rate, caplog, body):
    http.get(URL, body=body, content_type="application/json")
    assert refresh_exchange_rates() == "failed"
    _assert_kept_old_rates(old_rate, caplog)


def test_no_usable_rate_stores_nothing(http, provider_settings, old_rate, caplog):
    http.get(URL, json={"base": "USD", "rates": {"NGN": 0, "GHS": -2, "KES": "many", "ZAR": None}})
    assert refresh_exchange_rates() == "failed"
    refresh = _assert_kept_old_rates(old_rate, caplog)
    assert refresh.missing == sorted(ENABLED)


def test_a_missing_currency_keeps_its_old_rate_and_the_rest_are_updated(
    http, provider_settings, old_rate, caplog
):
    body = GOOD_BODY.replace('"NGN": 1532.123456789012345678,', "")
    assert "NGN" not in body
    http.get(URL, body=body)
    assert refresh_exchange_rates() == "partial"
    refresh = RateRefresh.objects.get()
    assert (refresh.status, refresh.missing, refresh.rates_stored) == ("partial", ["NGN"], 3)
    # NGN still converts with its old rate; the others with the new ones
    assert convert(100, "USD", "NGN").rate_id == old_rate.id
    assert convert(100, "USD", "KES").market_rate == Decimal("129.45")
    assert any("NGN" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_no_provider_configured_skips_quietly(seeded, settings, old_rate):
    settings.EXCHANGE_RATES_URL = ""
    assert refresh_exchange_rates() == "skipped"
    assert list(ExchangeRate.objects.all()) == [old_rate]
    assert not RateRefresh.objects.exists()


def test_a_disabled_currency_is_not_asked_for(http, provider_settings):
    from apps.currency.services import currency_update

    currency_update(code="ZAR", enabled=False)
    call = http.get(URL, body=GOOD_BODY)
    refresh_exchange_rates()
    assert set(call.calls[0].request.params["symbols"].split(",")) == ENABLED - {"ZAR"}
    assert not ExchangeRate.objects.filter(quote_id="ZAR").exists()


def test_running_twice_is_harmless_and_the_newest_wins(http, provider_settings):
    http.get(URL, body=GOOD_BODY)
    refresh_exchange_rates()
    refresh_exchange_rates()
    assert ExchangeRate.objects.filter(quote_id="NGN").count() == 2
    newest = ExchangeRate.objects.filter(quote_id="NGN").order_by("-fetched_at").first()
    assert convert(100, "USD", "NGN").rate_id == newest.id


# --- the JSON shape, on its own -------------------------------------------------------


def test_numbers_are_read_as_decimals_never_floats():
    fetched = parse_rates_body(
        b'{"base": "USD", "rates": {"NGN": 0.1, "GHS": "15.30", "KES": 129, "X": true}}',
        base="USD",
    )
    assert fetched.rates == {"NGN": Decimal("0.1"), "GHS": Decimal("15.30"), "KES": Decimal(129)}
    assert all(type(value) is Decimal for value in fetched.rates.values())
    assert "X" in fetched.unreadable


def test_a_date_stands_in_for_a_timestamp():
    fetched = parse_rates_body('{"base": "USD", "date": "2024-11-26", "rates": {}}', base="USD")
    assert fetched.provider_time == datetime(2024, 11, 26, tzinfo=UTC)
    undated = parse_rates_body('{"rates": {"NGN": 1}}', base="USD")
    assert undated.provider_time is None and undated.base == "USD"


def test_the_provider_refuses_a_non_200(http):
    http.get(URL, status=429, json={"error": "slow down"})
    with pytest.raises(RateProviderError) as refused:
        HttpRateProvider(url=URL).latest(base="USD", symbols=["NGN"])
    assert refused.value.http_status == 429
