from collections import defaultdict

import pytest
from django.db import transaction

from apps.campaigns.models import Campaign
from apps.core.errors import Conflict, InvalidInput
from apps.ledger.models import Account, AccountKind, Entry, LedgerTransaction, TransactionKind
from apps.ledger.selectors import account_balance, campaign_balances
from apps.ledger.services import (
    InsufficientFunds,
    ledger_post_donation_succeeded,
    ledger_post_hold,
    ledger_post_refund,
    ledger_post_release,
    ledger_post_transfer_succeeded,
)
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.ledger.conftest import assert_ledger_consistent, donate

pytestmark = pytest.mark.django_db


def sums_per_currency(posted: LedgerTransaction) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for entry in posted.entries.all():
        totals[entry.currency_id] += entry.amount
    return dict(totals)


def raised(campaign) -> int:
    return Campaign.objects.values_list("raised_amount", flat=True).get(pk=campaign.pk)


# --- donation succeeded ----------------------------------------------------------------


def test_donation_with_fee_out_of_the_gift_credits_campaign_fee_and_tip(campaign):
    posted = ledger_post_donation_succeeded(
        reference="donation:1:succeeded",
        campaign=campaign,
        charged_amount=10_200,
        charged_currency="NGN",
        gift=10_000,
        fee=500,
        tip=200,
        net_to_campaign=9_500,
    )

    assert campaign_balances(campaign) == {"available": 9_500, "held": 0, "currency": "NGN"}
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="NGN") == 500
    assert account_balance(kind=AccountKind.PLATFORM_TIPS, currency="NGN") == 200
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == -10_200
    assert raised(campaign) == 10_000
    assert campaign.raised_amount == 10_000  # the caller's instance is kept in step
    assert posted.kind == TransactionKind.DONATION_SUCCEEDED
    assert posted.raised_delta == 10_000
    assert posted.memo["fee_covered"] is False
    assert sums_per_currency(posted) == {"NGN": 0}
    assert posted.entries.count() == 4
    assert_ledger_consistent()


def test_donation_with_fee_covered_by_donor_gives_campaign_the_whole_gift(campaign):
    posted = ledger_post_donation_succeeded(
        reference="donation:2:succeeded",
        campaign=campaign,
        charged_amount=10_500,
        charged_currency="NGN",
        gift=10_000,
        fee=500,
        tip=0,
        net_to_campaign=10_000,
    )

    assert campaign_balances(campaign)["available"] == 10_000
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="NGN") == 500
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == -10_500
    assert raised(campaign) == 10_000  # the covered fee is not raised money
    assert posted.memo["fee_covered"] is True
    # A zero tip writes no entry.
    assert posted.entries.count() == 3
    assert not Account.objects.filter(kind=AccountKind.PLATFORM_TIPS).exists()
    assert_ledger_consistent()


def test_donation_in_another_currency_balances_each_currency_through_fx(campaign):
    posted = ledger_post_donation_succeeded(
        reference="donation:3:succeeded",
        campaign=campaign,
        charged_amount=1_000,  # USD 10.00
        charged_currency="USD",
        gift=1_500_000,  # NGN 15,000.00
        fee=75_000,
        tip=30_000,
        net_to_campaign=1_425_000,
        fx_rate="1500.00",
    )

    assert sums_per_currency(posted) == {"USD": 0, "NGN": 0}
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="USD") == -1_000
    assert account_balance(kind=AccountKind.FX, currency="USD") == 1_000
    assert account_balance(kind=AccountKind.FX, currency="NGN") == -1_530_000
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == 0
    assert campaign_balances(campaign)["available"] == 1_425_000
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="NGN") == 75_000
    assert account_balance(kind=AccountKind.PLATFORM_TIPS, currency="NGN") == 30_000
    assert raised(campaign) == 1_500_000
    assert posted.memo["fx_rate"] == "1500.00"
    assert_ledger_consistent()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"charged_amount": 10_199}, "charged_amount"),
        ({"net_to_campaign": 9_400}, "net_to_campaign"),
        ({"fee": -1, "net_to_campaign": 10_001}, "fee"),
        ({"gift": 100.0}, "gift"),
        ({"tip": True}, "tip"),
        ({"charged_currency": "XYZ"}, "charged_currency"),
        ({"charged_currency": "USD"}, "fx_rate"),
        ({"charged_currency": "USD", "fx_rate": "-3"}, "fx_rate"),
        ({"charged_currency": "USD", "fx_rate": "NaN"}, "fx_rate"),
        ({"reference": ""}, "reference"),
        ({"reference": "x" * 201}, "reference"),
    ],
)
def test_donation_amounts_that_do_not_add_up_are_refused_and_nothing_is_written(
    campaign, changes, field
):
    arguments = {
        "reference": "donation:4:succeeded",
        "campaign": campaign,
        "charged_amount": 10_200,
        "charged_currency": "NGN",
        "gift": 10_000,
        "fee": 500,
        "tip": 200,
        "net_to_campaign": 9_500,
        **changes,
    }

    with pytest.raises(InvalidInput) as refused:
        ledger_post_donation_succeeded(**arguments)

    assert field in refused.value.fields
    assert LedgerTransaction.objects.count() == 0
    assert Entry.objects.count() == 0
    assert raised(campaign) == 0


# --- holds, releases, transfers, refunds --------------------------------------------------


def test_hold_release_and_transfer_move_money_between_available_held_and_clearing(campaign):
    donate(campaign, 50_000, reference="donation:1:succeeded")

    hold = ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=30_000)
    assert campaign_balances(campaign) == {"available": 20_000, "held": 30_000, "currency": "NGN"}
    assert sums_per_currency(hold) == {"NGN": 0}
    assert hold.raised_delta == 0

    ledger_post_release(reference="withdrawal:1:released", campaign=campaign, amount=10_000)
    assert campaign_balances(campaign) == {"available": 30_000, "held": 20_000, "currency": "NGN"}

    ledger_post_transfer_succeeded(
        reference="withdrawal:1:transferred", campaign=campaign, amount=20_000
    )
    assert campaign_balances(campaign) == {"available": 30_000, "held": 0, "currency": "NGN"}
    # 50,000 came in through Paystack and 20,000 went back out to the organiser's bank.
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == -30_000
    assert raised(campaign) == 50_000  # payouts do not change what was raised
    assert_ledger_consistent()


def test_refund_takes_the_gift_off_available_and_raised(campaign):
    donate(campaign, 50_000, reference="donation:1:succeeded")

    refund = ledger_post_refund(reference="donation:1:refunded", campaign=campaign, amount=20_000)

    assert refund.raised_delta == -20_000
    assert campaign_balances(campaign)["available"] == 30_000
    assert raised(campaign) == 30_000
    assert campaign.raised_amount == 30_000
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == -30_000
    assert_ledger_consistent()


def test_full_refund_of_a_donation_whose_fee_came_out_of_the_gift(campaign):
    donate(campaign, 10_000, fee=500, tip=300, reference="donation:1:succeeded")

    ledger_post_refund(
        reference="donation:1:refunded",
        campaign=campaign,
        amount=9_500,
        fee_returned=500,
        tip_returned=300,
        gift=10_000,
    )

    assert campaign_balances(campaign)["available"] == 0
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="NGN") == 0
    assert account_balance(kind=AccountKind.PLATFORM_TIPS, currency="NGN") == 0
    assert account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency="NGN") == 0
    assert raised(campaign) == 0
    assert_ledger_consistent()


def test_refund_gift_that_matches_neither_reading_is_refused(campaign):
    donate(campaign, 10_000, fee=500, reference="donation:1:succeeded")

    with pytest.raises(InvalidInput) as refused:
        ledger_post_refund(
            reference="donation:1:refunded", campaign=campaign, amount=9_500, gift=9_800
        )

    assert "gift" in refused.value.fields
    assert raised(campaign) == 10_000


@pytest.mark.parametrize("amount", [0, -5, 12.5])
def test_non_positive_or_fractional_amounts_are_refused(campaign, amount):
    donate(campaign, 10_000, reference="donation:1:succeeded")

    with pytest.raises(InvalidInput) as refused:
        ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=amount)

    assert "amount" in refused.value.fields
    assert campaign_balances(campaign)["available"] == 10_000


# --- insufficient funds ---------------------------------------------------------------------


def test_hold_beyond_available_is_refused_with_the_available_amount(campaign):
    donate(campaign, 10_000, fee=500, reference="donation:1:succeeded")

    with pytest.raises(InsufficientFunds) as refused:
        ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=9_501)

    error = refused.value
    assert error.status_code == 409
    assert error.code == "insufficient_funds"
    assert "9500" in error.message and "9501" in error.message
    assert error.extra["available"] == 9_500
    assert campaign_balances(campaign) == {"available": 9_500, "held": 0, "currency": "NGN"}
    assert not LedgerTransaction.objects.filter(reference="withdrawal:1:held").exists()

    # The whole available balance can be held.
    ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=9_500)
    assert campaign_balances(campaign) == {"available": 0, "held": 9_500, "currency": "NGN"}
    assert_ledger_consistent()


def test_refund_beyond_available_is_refused(campaign):
    donate(campaign, 10_000, reference="donation:1:succeeded")
    ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=8_000)

    with pytest.raises(InsufficientFunds):
        ledger_post_refund(reference="donation:1:refunded", campaign=campaign, amount=10_000)

    assert raised(campaign) == 10_000
    assert campaign_balances(campaign) == {"available": 2_000, "held": 8_000, "currency": "NGN"}


@pytest.mark.parametrize("post", [ledger_post_release, ledger_post_transfer_succeeded])
def test_release_or_transfer_of_more_than_is_held_is_refused(campaign, post):
    donate(campaign, 10_000, reference="donation:1:succeeded")
    ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=4_000)

    with pytest.raises(InsufficientFunds) as refused:
        post(reference="withdrawal:1:out", campaign=campaign, amount=4_001)

    assert refused.value.extra["held"] == 4_000
    assert campaign_balances(campaign) == {"available": 6_000, "held": 4_000, "currency": "NGN"}


def test_a_refused_posting_leaves_the_callers_transaction_usable(campaign):
    """Callers own the outer transaction: a refusal rolls back only the posting."""
    donate(campaign, 10_000, reference="donation:1:succeeded")

    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=20_000)
        ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=10_000)

    assert campaign_balances(campaign) == {"available": 0, "held": 10_000, "currency": "NGN"}
    assert_ledger_consistent()


def test_when_the_caller_rolls_back_the_posting_goes_with_it(campaign):
    donate(campaign, 10_000, reference="donation:1:succeeded")

    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=10_000)
        raise RuntimeError("the withdrawal service failed after the hold")

    assert campaign_balances(campaign) == {"available": 10_000, "held": 0, "currency": "NGN"}
    assert not LedgerTransaction.objects.filter(reference="withdrawal:1:held").exists()


# --- idempotency ----------------------------------------------------------------------------


POSTINGS = {
    "donation": lambda campaign: ledger_post_donation_succeeded(
        reference="event:1",
        campaign=campaign,
        charged_amount=1_000,
        charged_currency="USD",
        gift=1_500_000,
        fee=0,
        tip=0,
        net_to_campaign=1_500_000,
        fx_rate="1500",
    ),
    "hold": lambda campaign: ledger_post_hold(reference="event:1", campaign=campaign, amount=700),
    "release": lambda campaign: ledger_post_release(
        reference="event:1", campaign=campaign, amount=300
    ),
    "transfer": lambda campaign: ledger_post_transfer_succeeded(
        reference="event:1", campaign=campaign, amount=300
    ),
    "refund": lambda campaign: ledger_post_refund(
        reference="event:1", campaign=campaign, amount=400
    ),
}


@pytest.mark.parametrize("name", POSTINGS)
def test_posting_the_same_reference_again_returns_the_first_transaction(campaign, name):
    donate(campaign, 5_000, reference="donation:0:succeeded")
    ledger_post_hold(reference="withdrawal:0:held", campaign=campaign, amount=1_000)
    post = POSTINGS[name]

    first = post(campaign)
    balances = dict(Account.objects.values_list("pk", "balance"))
    raised_after_first = raised(campaign)
    entries = Entry.objects.count()

    again = post(campaign)

    assert again.pk == first.pk
    assert dict(Account.objects.values_list("pk", "balance")) == balances
    assert raised(campaign) == raised_after_first
    assert Entry.objects.count() == entries
    assert LedgerTransaction.objects.filter(reference="event:1").count() == 1
    assert_ledger_consistent()


def test_a_replay_with_other_amounts_still_returns_the_first_and_changes_nothing(campaign):
    first = donate(campaign, 10_000, reference="donation:1:succeeded")

    again = donate(campaign, 99_999, reference="donation:1:succeeded")

    assert again.pk == first.pk
    assert raised(campaign) == 10_000
    assert campaign_balances(campaign)["available"] == 10_000


def test_a_reference_reused_for_another_kind_of_posting_is_refused(campaign):
    donate(campaign, 10_000, reference="shared:1")

    with pytest.raises(Conflict) as refused:
        ledger_post_hold(reference="shared:1", campaign=campaign, amount=100)

    assert refused.value.code == "ledger_reference_conflict"
    assert campaign_balances(campaign) == {"available": 10_000, "held": 0, "currency": "NGN"}


def test_a_reference_reused_for_another_campaign_is_refused(campaign):
    other = CampaignFactory()
    donate(campaign, 10_000, reference="donation:1:succeeded")

    with pytest.raises(Conflict):
        donate(other, 10_000, reference="donation:1:succeeded")

    assert raised(other) == 0


# --- selectors --------------------------------------------------------------------------------


def test_balances_of_accounts_nothing_posted_to_are_zero(campaign):
    assert campaign_balances(campaign) == {"available": 0, "held": 0, "currency": "NGN"}
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="GHS") == 0
    assert (
        account_balance(kind=AccountKind.CAMPAIGN_AVAILABLE, currency="NGN", campaign=campaign) == 0
    )


def test_campaigns_have_their_own_accounts_in_their_own_currency(campaign):
    cedi = CampaignFactory(currency_id="GHS")
    donate(campaign, 10_000, fee=100, reference="donation:1:succeeded")
    donate(cedi, 2_000, fee=20, reference="donation:2:succeeded")

    assert campaign_balances(campaign) == {"available": 9_900, "held": 0, "currency": "NGN"}
    assert campaign_balances(cedi) == {"available": 1_980, "held": 0, "currency": "GHS"}
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="NGN") == 100
    assert account_balance(kind=AccountKind.PLATFORM_FEES, currency="GHS") == 20
    assert_ledger_consistent()


def test_a_refund_that_would_take_raised_amount_below_zero_is_refused(campaign):
    # The donor covered the fee: raised 10,000, available 10,000, fee 500 on top.
    ledger_post_donation_succeeded(
        reference="donation:1:succeeded",
        campaign=campaign,
        charged_amount=10_500,
        charged_currency="NGN",
        gift=10_000,
        fee=500,
        tip=0,
        net_to_campaign=10_000,
    )

    with pytest.raises(Conflict) as refused:
        ledger_post_refund(
            reference="donation:1:refunded",
            campaign=campaign,
            amount=10_000,
            fee_returned=500,
            gift=10_500,
        )

    assert refused.value.code == "raised_amount_too_low"
    assert raised(campaign) == 10_000
    assert campaign_balances(campaign)["available"] == 10_000
