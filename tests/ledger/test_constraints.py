"""What the database refuses on its own, whoever writes: each test bypasses the services."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.ledger.models import Account, AccountKind, Entry, LedgerTransaction
from apps.ledger.selectors import campaign_balances
from apps.ledger.services import ledger_post_hold
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.ledger.conftest import donate, postgres_only

pytestmark = pytest.mark.django_db


def account(campaign, kind=AccountKind.CAMPAIGN_AVAILABLE) -> Account:
    return Account.objects.get(campaign=campaign, kind=kind)


def insert_raw_transaction(cursor, *, reference: str, campaign, lines) -> str:
    """INSERT a transaction and its entries straight into the tables."""
    txid = uuid.uuid4().hex
    now = timezone.now()
    cursor.execute(
        "INSERT INTO ledger_ledgertransaction "
        "(id, kind, reference, campaign_id, raised_delta, memo, created_at) "
        "VALUES (%s, 'hold', %s, %s, 0, '{}', %s)",
        [txid, reference, campaign.pk.hex, now],
    )
    for account_id, amount, currency in lines:
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency_id, "
            "created_at) VALUES (%s, %s, %s, %s, %s)",
            [txid, account_id.hex, amount, currency, now],
        )
    return txid


# --- a campaign's balances never go below zero: CHECK constraint (both databases) ----------


@pytest.mark.parametrize("kind", [AccountKind.CAMPAIGN_AVAILABLE, AccountKind.CAMPAIGN_HELD])
def test_queryset_update_making_a_campaign_balance_negative_is_refused(campaign, kind):
    donate(campaign, 10_000, reference="donation:1:succeeded")
    ledger_post_hold(reference="withdrawal:1:held", campaign=campaign, amount=4_000)
    target = account(campaign, kind)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=target.pk).update(balance=-1)

    assert campaign_balances(campaign) == {"available": 6_000, "held": 4_000, "currency": "NGN"}


def test_raw_sql_making_an_available_balance_negative_is_refused(campaign):
    donate(campaign, 10_000, reference="donation:1:succeeded")

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_account SET balance = balance - 10001 WHERE id = %s",
            [account(campaign).pk.hex],
        )

    assert campaign_balances(campaign)["available"] == 10_000


def test_platform_accounts_may_run_negative(campaign):
    """The check is about campaigns: the clearing account normally reads negative."""
    donate(campaign, 10_000, reference="donation:1:succeeded")
    clearing = Account.objects.get(kind=AccountKind.PAYSTACK_CLEARING, currency_id="NGN")

    assert clearing.balance == -10_000


# --- account identity: conditional unique constraints and owner/kind check ---------------------


def test_a_second_platform_account_of_the_same_kind_and_currency_is_refused(db):
    Account.objects.create(kind=AccountKind.PLATFORM_FEES, currency_id="NGN")

    # campaign IS NULL: a plain unique constraint would let NULLs repeat.
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind=AccountKind.PLATFORM_FEES, currency_id="NGN")

    Account.objects.create(kind=AccountKind.PLATFORM_FEES, currency_id="USD")
    assert Account.objects.filter(kind=AccountKind.PLATFORM_FEES).count() == 2


def test_a_second_campaign_account_of_the_same_kind_and_currency_is_refused(campaign):
    Account.objects.create(campaign=campaign, kind=AccountKind.CAMPAIGN_HELD, currency_id="NGN")

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(campaign=campaign, kind=AccountKind.CAMPAIGN_HELD, currency_id="NGN")

    Account.objects.create(
        campaign=CampaignFactory(), kind=AccountKind.CAMPAIGN_HELD, currency_id="NGN"
    )


@pytest.mark.parametrize(
    ("kind", "with_campaign"),
    [(AccountKind.PLATFORM_FEES, True), (AccountKind.CAMPAIGN_AVAILABLE, False)],
)
def test_account_owner_must_match_its_kind(campaign, kind, with_campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            campaign=campaign if with_campaign else None, kind=kind, currency_id="NGN"
        )


def test_an_entry_of_zero_is_refused(campaign):
    posted = donate(campaign, 10_000, reference="donation:1:succeeded")

    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.bulk_create(
            [Entry(transaction=posted, account=account(campaign), amount=0, currency_id="NGN")]
        )


# --- append-only: the model and the database ------------------------------------------------


def test_the_model_refuses_to_change_or_delete_entries_and_transactions(campaign):
    posted = donate(campaign, 10_000, reference="donation:1:succeeded")
    entry = posted.entries.first()
    entry.amount = 1

    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError):
        Entry.objects.all().delete()
    with pytest.raises(TypeError):
        posted.delete()
    with pytest.raises(TypeError):
        LedgerTransaction.objects.update(raised_delta=0)

    assert Entry.objects.filter(transaction=posted).count() == 2


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount + 1",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_ledgertransaction SET raised_delta = 0",
        "DELETE FROM ledger_ledgertransaction",
    ],
)
def test_the_database_refuses_update_and_delete_of_ledger_history(campaign, statement):
    donate(campaign, 10_000, reference="donation:1:succeeded")
    before = list(Entry.objects.values_list("pk", "amount"))

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert list(Entry.objects.values_list("pk", "amount")) == before
    assert LedgerTransaction.objects.get().raised_delta == 10_000


@postgres_only
def test_the_database_refuses_an_entry_in_another_currency_than_its_account(campaign):
    donate(campaign, 10_000, reference="donation:1:succeeded")
    ngn_available = account(campaign)
    usd_fees = Account.objects.create(kind=AccountKind.PLATFORM_FEES, currency_id="USD")

    with (
        pytest.raises(IntegrityError, match="kept in NGN"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        insert_raw_transaction(
            cursor,
            reference="raw:1",
            campaign=campaign,
            lines=[(ngn_available.pk, -100, "USD"), (usd_fees.pk, 100, "USD")],
        )


# --- every transaction balances per currency: the deferred constraint trigger ------------------


@postgres_only
def test_raw_sql_unbalanced_transaction_is_refused_when_constraints_are_checked(campaign):
    donate(campaign, 10_000, reference="donation:1:succeeded")
    available = account(campaign)
    held = Account.objects.create(
        campaign=campaign, kind=AccountKind.CAMPAIGN_HELD, currency_id="NGN"
    )

    with (
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Deferred: each INSERT is accepted and the check runs at commit; the savepoint's
        # SET CONSTRAINTS ALL IMMEDIATE stands in for that commit.
        insert_raw_transaction(
            cursor,
            reference="raw:unbalanced",
            campaign=campaign,
            lines=[(available.pk, -500, "NGN"), (held.pk, 400, "NGN")],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert not LedgerTransaction.objects.filter(reference="raw:unbalanced").exists()


@postgres_only
def test_raw_sql_transaction_balanced_across_statements_is_accepted(campaign):
    """Deferred, not immediate: entries written one statement at a time may balance at the end."""
    donate(campaign, 10_000, reference="donation:1:succeeded")
    available = account(campaign)
    held = Account.objects.create(
        campaign=campaign, kind=AccountKind.CAMPAIGN_HELD, currency_id="NGN"
    )

    with transaction.atomic(), connection.cursor() as cursor:
        insert_raw_transaction(
            cursor,
            reference="raw:balanced",
            campaign=campaign,
            lines=[(available.pk, -500, "NGN"), (held.pk, 500, "NGN")],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    assert LedgerTransaction.objects.get(reference="raw:balanced").entries.count() == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_raw_sql_unbalanced_transaction_fails_at_commit_and_leaves_nothing():
    campaign = CampaignFactory()
    donate(campaign, 10_000, reference="donation:1:succeeded")
    available = account(campaign)
    clearing = Account.objects.get(kind=AccountKind.PAYSTACK_CLEARING, currency_id="NGN")

    # The IntegrityError comes from leaving the atomic block: the COMMIT.
    with (
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        insert_raw_transaction(
            cursor,
            reference="raw:unbalanced",
            campaign=campaign,
            lines=[(available.pk, -500, "NGN"), (clearing.pk, 499, "NGN")],
        )
        # Every statement was accepted; only the COMMIT refuses.
        cursor.execute("SELECT count(*) FROM ledger_entry")
        assert cursor.fetchone()[0] == 4

    assert not LedgerTransaction.objects.filter(reference="raw:unbalanced").exists()
    assert Entry.objects.count() == 2
