"""The public currency list and the staff exchange-rate endpoints."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.currency.models import ExchangeRate
from apps.currency.services import currency_update
from apps.platform_settings.pricing import convert
from tests.platform_settings.helpers import permission_matrix_clients, staff_api_client

pytestmark = pytest.mark.django_db

RATES_URL = "/v1/admin/exchange-rates"


def test_the_public_currency_list_shows_enabled_currencies(seeded):
    currency_update(code="ZAR", enabled=False)
    body = APIClient().get("/v1/currencies").json()
    assert [c["code"] for c in body["results"]] == ["GHS", "KES", "NGN", "USD"]
    ngn = next(c for c in body["results"] if c["code"] == "NGN")
    assert ngn == {
        "code": "NGN",
        "name": "Nigerian naira",
        "symbol": "₦",
        "exponent": 2,
        "minimum_donation": 10_000,
        # no exchange rate yet: naira only to naira campaigns
        "can_donate": True,
        "donate_to": ["NGN"],
        "receive_from": ["NGN"],
    }


@pytest.mark.parametrize(
    "caller",
    ["anonymous", "ordinary user", "staff without 2FA", "staff with 2FA, no permission", "allowed"],
)
def test_who_may_record_a_manual_rate(seeded, caller):
    client, expected = permission_matrix_clients("currency.add_exchangerate")[caller]
    response = client.post(
        RATES_URL, {"base": "USD", "quote": "NGN", "rate": "1533.5"}, format="json"
    )
    assert response.status_code == (201 if expected == 200 else expected)
    assert ExchangeRate.objects.exists() is (expected == 200)


def test_a_manual_rate_is_recorded_exactly_and_used(seeded):
    desk = staff_api_client("currency.add_exchangerate", "currency.view_exchangerate")
    response = desk.post(
        RATES_URL,
        {"base": "usd", "quote": "NGN", "rate": "1533.123456789012345678"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["base"], body["source"], body["created_by"]) == ("USD", "manual", desk.user.email)
    assert body["rate"] == "1533.123456789012345678"
    assert convert(100, "USD", "NGN").market_rate == Decimal("1533.123456789012345678")
    listing = desk.get(RATES_URL, {"source": "manual"}).json()
    assert listing["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"base": "USD", "quote": "NGN", "rate": 1533.5}, "rate"),  # a JSON number
        ({"base": "USD", "quote": "NGN", "rate": "-1"}, "rate"),
        ({"base": "USD", "quote": "NGN", "rate": "lots"}, "rate"),
        ({"base": "USD", "quote": "USD", "rate": "1"}, "quote"),
        ({"base": "EUR", "quote": "NGN", "rate": "1"}, "base"),
        ({"base": "USD", "rate": "1"}, "quote"),
        ({"base": "USD", "quote": "NGN", "rate": "1", "source": "x"}, "source"),
    ],
)
def test_bad_manual_rates_are_a_400_naming_the_field(seeded, body, field):
    desk = staff_api_client("currency.add_exchangerate")
    response = desk.post(RATES_URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not ExchangeRate.objects.exists()


def test_a_manual_rate_can_be_revoked(seeded):
    desk = staff_api_client("currency.add_exchangerate")
    rate_id = desk.post(
        RATES_URL, {"base": "USD", "quote": "NGN", "rate": "1533"}, format="json"
    ).json()["id"]
    response = desk.post(f"{RATES_URL}/{rate_id}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert desk.post(f"{RATES_URL}/00000000-0000-0000-0000-000000000000/revoke").status_code == 404
