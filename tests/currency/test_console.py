"""The staff console for currencies and rates goes through the services."""

from decimal import Decimal

import pytest

from apps.currency.models import ExchangeRate
from apps.currency.selectors import currency_enabled_codes, currency_get
from tests.platform_settings.helpers import staff_console_client

pytestmark = pytest.mark.django_db

RATES = "/admin/currency/exchangerate/"


@pytest.fixture
def fx_desk(seeded):
    return staff_console_client(
        "currency.add_exchangerate", "currency.view_exchangerate", email="fx@krogiving.test"
    )


def test_staff_add_a_manual_rate_and_it_records_who(fx_desk):
    response = fx_desk.post(
        f"{RATES}add/", {"base": "USD", "quote": "NGN", "rate": "1533.25", "_save": "Save"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = ExchangeRate.objects.get()
    assert (row.base_id, row.quote_id, row.rate) == ("USD", "NGN", Decimal("1533.25"))
    assert (row.source, row.created_by) == ("manual", fx_desk.user)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"base": "USD", "quote": "USD", "rate": "1"}, "quote"),
        ({"base": "USD", "quote": "NGN", "rate": "abc"}, "rate"),
        ({"base": "EUR", "quote": "NGN", "rate": "1"}, "base"),
    ],
)
def test_a_bad_manual_rate_is_shown_on_the_form(fx_desk, data, field):
    response = fx_desk.post(f"{RATES}add/", {**data, "_save": "Save"})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not ExchangeRate.objects.exists()


def test_a_zero_rate_is_refused(fx_desk):
    response = fx_desk.post(f"{RATES}add/", {"base": "USD", "quote": "NGN", "rate": "0"})
    assert response.status_code == 200
    assert not ExchangeRate.objects.exists()


def test_rates_cannot_be_edited_but_a_manual_one_can_be_revoked(fx_desk):
    fx_desk.post(f"{RATES}add/", {"base": "USD", "quote": "NGN", "rate": "1533.25"})
    row = ExchangeRate.objects.get()
    edit = fx_desk.post(f"{RATES}{row.pk}/change/", {"base": "USD", "quote": "NGN", "rate": "1"})
    assert edit.status_code in (200, 403)
    row.refresh_from_db()
    assert row.rate == Decimal("1533.25")
    revoke = fx_desk.post(RATES, {"action": "revoke_rates", "_selected_action": [str(row.pk)]})
    assert revoke.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == fx_desk.user


def test_switching_a_currency_off_in_the_console_reaches_the_cache(seeded):
    console = staff_console_client(
        "currency.change_currency", "currency.view_currency", email="ops@krogiving.test"
    )
    assert "KES" in currency_enabled_codes()  # the cache is warm
    response = console.post(
        "/admin/currency/currency/KES/change/",
        {"enabled": "", "minimum_donation": "20000", "_save": "Save"},
    )
    assert response.status_code == 302
    assert "KES" not in currency_enabled_codes()
    assert currency_get("KES").minimum_donation == 20_000
