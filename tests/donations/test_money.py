"""Fee cover, tips and a donation in another currency than the campaign's."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.currency.services import exchange_rate_record_manual
from apps.donations.models import Donation
from apps.ledger.models import AccountKind
from apps.ledger.selectors import account_balance
from tests.factories import StaffFactory

from .conftest import assert_ledger_consistent, balances

pytestmark = pytest.mark.django_db


def test_fee_covered_and_a_tip_go_where_they_belong(donate, campaign):
    donate(campaign, amount=500000, tip_amount=50000, cover_fee=True)

    campaign.refresh_from_db()
    # the cause gets the whole gift; the platform its fee and the tip
    assert campaign.raised_amount == 500000
    assert balances(campaign) == {
        "available": 500000,
        "held": 0,
        "fees": 31579,
        "tips": 50000,
        "clearing": -581579,
    }
    assert_ledger_consistent()


def test_fee_out_of_the_gift_and_a_tip(donate, campaign):
    donate(campaign, amount=500000, tip_amount=20000)

    campaign.refresh_from_db()
    assert campaign.raised_amount == 500000  # raised counts the gift, fee or not
    assert balances(campaign) == {
        "available": 470000,
        "held": 0,
        "fees": 30000,
        "tips": 20000,
        "clearing": -520000,
    }


def test_a_dollar_donation_to_a_naira_campaign_uses_the_adjusted_rate(
    start, paystack, deliver, campaign
):
    staff = StaffFactory()
    rate = exchange_rate_record_manual(actor=staff, base="USD", quote="NGN", rate="1500")

    started = start(campaign=campaign.slug, currency="USD", amount=10000, tip_amount=500)

    assert started.status_code == 201, started.content
    body = started.json()
    # USD fee: 5% + $0.30 = $5.30, out of the gift; charged gift + tip in dollars
    assert (body["amount"], body["currency"]) == (10500, "USD")
    breakdown = body["breakdown"]
    # 1500 less the 1.5% margin = 1477.5 naira per dollar
    assert Decimal(breakdown["fx_rate"]) == Decimal("1477.5")
    assert breakdown["campaign_gift"] == 14_775_000
    assert breakdown["net_to_campaign"] == 14_775_000 - 783_075
    donation = Donation.objects.get()
    assert donation.fx_rate_ref_id == rate.pk
    assert (donation.fee_campaign, donation.tip_campaign) == (783_075, 738_750)

    paystack.pay(body["reference"])
    deliver(paystack.charge_success(body["reference"]))

    campaign.refresh_from_db()
    assert campaign.raised_amount == 14_775_000
    assert balances(campaign) == {
        "available": 13_991_925,
        "held": 0,
        "fees": 783_075,
        "tips": 738_750,
        "clearing": 0,  # the charge cleared in dollars
    }
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="USD") == -10500
    assert account_balance(kind=AccountKind.FX, currency="USD") == 10500
    assert account_balance(kind=AccountKind.FX, currency="NGN") == -(13_991_925 + 783_075 + 738_750)
    assert_ledger_consistent()
    call_command("ledger_check")


def test_the_charge_event_must_be_in_the_donation_currency(start, paystack, deliver, campaign):
    exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")
    reference = start(campaign=campaign.slug, currency="USD", amount=10000).json()["reference"]
    paystack.pay(reference)

    # an event in naira for the converted amount is not what we asked to charge
    deliver(paystack.charge_success(reference, currency="NGN", amount=14_775_000))

    donation = Donation.objects.get()
    assert donation.status == "pending" and donation.needs_review
