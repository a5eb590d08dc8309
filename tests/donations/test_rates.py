"""GET /v1/rates: a quote is what POST /v1/donations/initialize then charges."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.currency.models import Currency, ExchangeRate
from apps.currency.services import exchange_rate_record_manual
from apps.donations.models import Donation
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

RATES = "/v1/rates"


def quote(api, **params):
    return api.get(RATES, {k: str(v) for k, v in params.items()})


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def usd_ngn(db):
    return exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")


@pytest.mark.parametrize("cover_fee", [False, True])
def test_a_quote_is_exactly_what_initialize_then_charges(
    api, start, paystack, campaign, usd_ngn, cover_fee
):
    quoted = quote(
        api,
        **{"from": "USD", "to": "NGN"},
        amount=10000,
        tip_amount=500,
        cover_fee=str(cover_fee).lower(),
    )
    assert quoted.status_code == 200, quoted.content
    body = quoted.json()

    started = start(
        campaign=campaign.slug, currency="USD", amount=10000, tip_amount=500, cover_fee=cover_fee
    )

    assert started.status_code == 201, started.content
    breakdown = started.json()["breakdown"]
    # every figure initialize answers, the quote answered first
    assert {key: body[key] for key in breakdown} == breakdown
    donation = Donation.objects.get()
    assert body["charged"] == started.json()["amount"] == donation.charged_amount
    assert body["campaign_fee"] == donation.fee_campaign
    assert Decimal(body["fx_rate"]) == donation.fx_rate == Decimal("1477.5")
    assert Decimal(body["fx_market_rate"]) == donation.fx_market_rate == Decimal("1500")
    # and Paystack was asked for the quoted charge, in the donor's currency
    assert paystack.transactions[donation.reference]["amount"] == body["charged"]


def test_a_dollar_quote_to_a_naira_campaign_in_figures(api, usd_ngn):
    response = quote(api, **{"from": "usd", "to": "ngn"}, amount=10000)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "gift": 10000,
        "fee": 530,  # 5% + $0.30
        "tip": 0,
        "cover_fee": False,
        "charged": 10000,
        "currency": "USD",
        "campaign_currency": "NGN",
        "campaign_gift": 14_775_000,  # at 1500 less the 1.5% margin
        "campaign_fee": 783_075,
        "net_to_campaign": 14_775_000 - 783_075,
        "fx_rate": "1477.50000000000000000000",
        "fx_market_rate": "1500.00000000000000000000",
    }


def test_a_quote_in_the_campaigns_own_currency_has_no_rate(api):
    body = quote(api, **{"from": "NGN", "to": "NGN"}, amount=500000).json()

    assert (body["fee"], body["net_to_campaign"], body["fx_rate"]) == (30000, 470000, None)


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"from": "XYZ", "to": "NGN", "amount": "10000"}, 400, "unknown_currency", "from"),
        ({"from": "USD", "to": "ABC", "amount": "10000"}, 400, "unknown_currency", "to"),
        ({"to": "NGN", "amount": "10000"}, 400, "validation_error", "from"),
        ({"from": "USD", "amount": "10000"}, 400, "validation_error", "to"),
        ({"from": "USD", "to": "NGN"}, 400, "validation_error", "amount"),
        ({"from": "USD", "to": "NGN", "amount": "12.50"}, 400, "invalid_amount", "amount"),
        ({"from": "USD", "to": "NGN", "amount": "-5"}, 400, "invalid_amount", "amount"),
        ({"from": "USD", "to": "NGN", "amount": "1e3"}, 400, "invalid_amount", "amount"),
        ({"from": "USD", "to": "NGN", "amount": "9" * 40}, 400, "invalid_amount", "amount"),
        (
            {"from": "USD", "to": "NGN", "amount": "\u0661\u0660\u0660"},
            400,
            "invalid_amount",
            "amount",
        ),
        (
            {"from": "USD", "to": "NGN", "amount": "10000", "tip_amount": "x"},
            400,
            "invalid_amount",
            "tip_amount",
        ),
        (
            {"from": "USD", "to": "NGN", "amount": "10000", "cover_fee": "maybe"},
            400,
            "validation_error",
            "cover_fee",
        ),
        # below USD's minimum donation ($1)
        ({"from": "USD", "to": "NGN", "amount": "99"}, 400, "amount_too_small", "amount"),
        ({"from": "USD", "to": "NGN", "amount": str(10**12)}, 400, "amount_too_large", "amount"),
    ],
)
def test_bad_quotes_are_refused_clearly(api, usd_ngn, params, status, code, field):
    response = api.get(RATES, params)

    assert response.status_code == status, response.content
    assert error(response)["code"] == code
    assert field in error(response)["fields"]
    assert error(response)["message"].startswith(f"{field}: ")


def test_a_pair_without_a_rate_is_refused_as_initialize_refuses_it(api, start, campaign):
    response = quote(api, **{"from": "GHS", "to": "NGN"}, amount=10000)

    assert response.status_code == 503
    assert (error(response)["code"], error(response)["pair"]) == (
        "exchange_rate_missing",
        "GHS/NGN",
    )
    started = start(campaign=campaign.slug, currency="GHS", amount=10000)
    assert (started.status_code, error(started)["code"]) == (503, "exchange_rate_missing")


def test_only_stale_rates_are_refused_as_stale(api):
    ExchangeRate.objects.create(
        base_id="USD",
        quote_id="NGN",
        rate=Decimal("1500"),
        source="test-provider",
        fetched_at=timezone.now() - timedelta(days=30),
    )

    response = quote(api, **{"from": "USD", "to": "NGN"}, amount=10000)

    assert (response.status_code, error(response)["code"]) == (503, "exchange_rate_stale")


def test_a_disabled_currency_cannot_be_quoted(api, usd_ngn):
    Currency.objects.filter(code="USD").update(enabled=False)
    from apps.currency.selectors import invalidate_currency_cache

    invalidate_currency_cache()

    response = quote(api, **{"from": "USD", "to": "NGN"}, amount=10000)

    assert (response.status_code, error(response)["code"]) == (400, "currency_disabled")
    assert "from" in error(response)["fields"]
