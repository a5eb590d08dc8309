"""The global lock order holds under real concurrency on PostgreSQL.

Two threads take every pair of lock kinds in the documented order, each holding the
first while it asks for the second: both finish. The same harness with one thread taking
the pair backwards ends in PostgreSQL's deadlock error, so the test can see a deadlock.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from apps.core import locks
from apps.ledger.models import Account, AccountKind
from apps.withdrawals.models import BankAccount, Withdrawal
from tests.factories import ActiveCampaignFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


@pytest.fixture
def rows(db) -> dict[str, Callable[[], Any]]:
    """One row of each kind, and the lock function that takes it."""
    from apps.audit.services import audit_log
    from apps.donations.models import Donation, DonationRefund, DonorAggregate

    campaign = ActiveCampaignFactory(currency_id="NGN")
    donation = Donation.objects.create(
        reference="don-lock-order-test",
        campaign=campaign,
        email="lock@example.com",
        currency_id="NGN",
        amount=10000,
        charged_amount=10000,
        campaign_currency_id="NGN",
        gift_campaign=10000,
        net_campaign=9000,
    )
    DonationRefund.objects.create(
        donation=donation,
        amount=1000,
        currency_id="NGN",
        net_part=1000,
        gift_part=1000,
        reason="lock order",
    )
    now = timezone.now()
    DonorAggregate.objects.create(
        campaign=campaign,
        donor_key="email:lock@example.com",
        display_name="Lock",
        first_donated_at=now,
        last_donated_at=now,
    )
    account = Account.objects.create(
        kind=AccountKind.CAMPAIGN_AVAILABLE, campaign=campaign, currency_id="NGN"
    )
    audit_log(actor=None, action="test.lock_order", target_type="test", target_id="1")
    from apps.audit.models import AuditChainHead

    head_id = AuditChainHead.objects.get().pk
    kinds: dict[str, Callable[[], Any]] = {
        "donation": lambda: locks.lock_donation(donation.pk),
        "refund": lambda: locks.lock_refunds(donation_id=donation.pk),
        "campaign": lambda: locks.lock_campaign(campaign.pk),
        "campaign_child": lambda: locks.lock_donor_aggregate(
            campaign_id=campaign.pk, donor_key="email:lock@example.com"
        ),
        "ledger_account": lambda: locks.lock_accounts([account.pk]),
        "audit_chain_head": lambda: locks.lock_audit_chain_head(head_id),
    }
    bank = BankAccount.objects.create(
        owner=campaign.organizer,
        currency_id="NGN",
        bank_code="044",
        account_last4="6789",
        account_fingerprint="f" * 64,
        account_name="LOCK",
        recipient_code="RCP_lock",
    )
    withdrawal = Withdrawal.objects.create(
        reference="wd-lock-order-test-0001",
        campaign=campaign,
        requested_by=campaign.organizer,
        bank_account=bank,
        amount=1000,
        currency_id="NGN",
    )
    kinds["withdrawal"] = lambda: locks.lock_withdrawal(withdrawal.pk)
    return kinds


def _race(first: Callable[[], Any], second: Callable[[], Any], backwards: bool) -> list:
    """Two threads start together; each locks its first kind, holds it a moment (long
    enough for the other to take its own first lock), then asks for its second kind.
    Returns the errors."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(order: tuple[Callable[[], Any], Callable[[], Any]]) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '20s'")
                order[0]()
                time.sleep(0.2)
                order[1]()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    orders = [(first, second), (second, first) if backwards else (first, second)]
    threads = [threading.Thread(target=work, args=(o,)) for o in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_the_order_names_every_lock_function_kind():
    assert locks.LOCK_ORDER[0] == "donation"
    assert locks.LOCK_ORDER[-1] == "audit_chain_head"
    assert locks.LOCK_ORDER.index("refund") < locks.LOCK_ORDER.index("campaign")
    assert locks.LOCK_ORDER.index("campaign") < locks.LOCK_ORDER.index("ledger_account")


def test_every_pair_in_the_documented_order_never_deadlocks(rows):
    kinds = list(locks.LOCK_ORDER)
    assert set(kinds) == set(rows)
    for a, b in itertools.combinations(kinds, 2):
        # Both threads want the first lock: the second waits for it, then both finish.
        assert _race(rows[a], rows[b], backwards=False) == [], (a, b)


def test_a_pair_taken_backwards_does_deadlock(rows):
    """The harness can see a deadlock: against the order, PostgreSQL kills one side."""
    errors = _race(rows["donation"], rows["campaign"], backwards=True)
    assert any(isinstance(e, OperationalError) and "deadlock" in str(e).lower() for e in errors), (
        errors
    )
