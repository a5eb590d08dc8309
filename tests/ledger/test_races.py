"""Concurrent postings at one campaign, from real threads with their own connections."""

import pytest
from django.db import connection

from apps.campaigns.models import Campaign
from apps.ledger.models import AccountKind, LedgerTransaction
from apps.ledger.selectors import account_balance, campaign_balances, ledger_verify
from apps.ledger.services import (
    InsufficientFunds,
    ledger_post_donation_succeeded,
    ledger_post_hold,
    ledger_post_refund,
)
from tests.concurrency import run_in_threads
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.ledger.conftest import donate

THREADS = 16

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]


def fresh(campaign) -> Campaign:
    return Campaign.objects.get(pk=campaign.pk)


def test_concurrent_holds_never_hold_more_than_is_available():
    campaign = CampaignFactory()
    donate(campaign, 10_000, reference="donation:1:succeeded")

    def hold(index: int):
        return ledger_post_hold(
            reference=f"withdrawal:{index}:held", campaign=fresh(campaign), amount=1_500
        )

    held, errors = run_in_threads(THREADS, hold)

    assert all(isinstance(error, InsufficientFunds) for error in errors), errors
    assert len(held) == 6  # 6 x 1,500 = 9,000 fits in 10,000; a 7th would not
    assert len(errors) == THREADS - 6
    assert campaign_balances(campaign) == {"available": 1_000, "held": 9_000, "currency": "NGN"}
    assert LedgerTransaction.objects.filter(kind="hold").count() == 6
    assert ledger_verify().problems == []


def test_concurrent_donations_with_distinct_references_are_all_counted():
    campaign = CampaignFactory()

    def give(index: int):
        return donate(
            fresh(campaign),
            1_000 + index,
            fee=10 + index,
            tip=index,
            reference=f"donation:{index}:succeeded",
        )

    posted, errors = run_in_threads(THREADS, give)

    assert errors == []
    assert len({transaction.pk for transaction in posted}) == THREADS
    gifts = sum(1_000 + i for i in range(THREADS))
    fees = sum(10 + i for i in range(THREADS))
    tips = sum(range(THREADS))
    assert fresh(campaign).raised_amount == gifts
    assert campaign_balances(campaign)["available"] == gifts - fees
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="NGN") == fees
    assert account_balance(kind=AccountKind.PLATFORM_TIPS, currency="NGN") == tips
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == -(gifts + tips)
    assert ledger_verify().problems == []


def test_the_same_reference_from_many_threads_posts_once():
    campaign = CampaignFactory()

    def give(index: int):
        return donate(fresh(campaign), 5_000, fee=50, reference="donation:1:succeeded")

    posted, errors = run_in_threads(THREADS, give)

    assert errors == []
    assert len(posted) == THREADS
    assert len({transaction.pk for transaction in posted}) == 1
    assert LedgerTransaction.objects.count() == 1
    assert fresh(campaign).raised_amount == 5_000
    assert campaign_balances(campaign)["available"] == 4_950
    assert ledger_verify().problems == []


def test_mixed_postings_on_two_campaigns_lose_nothing_and_never_go_negative():
    """Donations (also in USD, through FX), holds and refunds at once; platform accounts shared."""
    naira, other = CampaignFactory(), CampaignFactory()
    donate(naira, 20_000, reference="donation:seed-1:succeeded")
    donate(other, 20_000, reference="donation:seed-2:succeeded")
    campaigns = [naira, other]

    def work(index: int):
        campaign = fresh(campaigns[index % 2])
        action = index // 2 % 4
        if action == 0:
            return donate(campaign, 3_000, fee=30, reference=f"donation:{index}:succeeded")
        if action == 1:
            return ledger_post_donation_succeeded(
                reference=f"donation:{index}:succeeded",
                campaign=campaign,
                charged_amount=200,
                charged_currency="USD",
                gift=300_000,
                fee=3_000,
                tip=1_000,
                net_to_campaign=297_000,
                fx_rate="1520",
            )
        if action == 2:
            return ledger_post_hold(
                reference=f"withdrawal:{index}:held", campaign=campaign, amount=12_000
            )
        return ledger_post_refund(reference=f"refund:{index}", campaign=campaign, amount=9_000)

    posted, errors = run_in_threads(THREADS, work)

    # Only refusals for lack of funds; no deadlock, no lost update.
    assert all(isinstance(error, InsufficientFunds) for error in errors), errors
    assert len(posted) + len(errors) == THREADS
    assert ledger_verify().problems == []
    for campaign in campaigns:
        balances = campaign_balances(campaign)
        assert balances["available"] >= 0 and balances["held"] >= 0
        mine = LedgerTransaction.objects.filter(campaign=campaign)
        assert fresh(campaign).raised_amount == sum(mine.values_list("raised_delta", flat=True))
    # Each currency's accounts still sum to zero across the whole ledger.
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="USD") == -200 * 4
