"""Ten concurrent requests for 80% of the balance each: exactly one is accepted."""

import pytest
from django.db import connection

from apps.withdrawals.models import Withdrawal
from apps.withdrawals.services import withdrawal_request
from tests.concurrency import run_in_threads

from .conftest import assert_books_clean, balances

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_ten_concurrent_requests_for_most_of_the_balance_accept_exactly_one(
    organizer, campaign, bank_account
):
    def work(_: int):
        try:
            return withdrawal_request(
                actor=organizer,
                campaign=str(campaign.pk),
                amount=8_000_000,
                bank_account=bank_account["id"],
            ).pk
        except Exception as exc:  # the refusals are the point
            return exc

    results, errors = run_in_threads(10, work)

    assert errors == []
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(accepted) == 1
    assert {getattr(e, "code", None) for e in refused} == {"insufficient_funds"}
    assert Withdrawal.objects.count() == 1
    assert balances(campaign) == {"available": 2_000_000, "held": 8_000_000}
    assert_books_clean()
    assert connection.vendor == "postgresql"
