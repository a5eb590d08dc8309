"""Initialize offers the checkout channels of the donation's currency."""

import json

import pytest

from apps.currency.services import exchange_rate_record_manual
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PER_CURRENCY = {
    "NGN": ["card", "bank", "ussd", "bank_transfer"],
    "GHS": ["card", "mobile_money"],
}


@pytest.fixture
def per_currency(paystack_settings):
    paystack_settings.PAYSTACK_CHANNELS = PER_CURRENCY
    return paystack_settings


def test_a_naira_donation_offers_the_naira_channels(per_currency, start, paystack, campaign):
    assert start(campaign=campaign.slug).status_code == 201

    (call,) = paystack.calls("initialize")
    assert json.loads(call.request.body)["channels"] == ["card", "bank", "ussd", "bank_transfer"]


def test_a_currency_without_channels_sends_none(per_currency, start, paystack, campaign):
    exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")

    assert start(campaign=campaign.slug, currency="USD", amount=10000).status_code == 201

    (call,) = paystack.calls("initialize")
    sent = json.loads(call.request.body)
    assert sent["currency"] == "USD" and "channels" not in sent
