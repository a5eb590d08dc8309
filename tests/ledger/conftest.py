import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from apps.ledger.selectors import ledger_verify
from apps.ledger.services import ledger_post_donation_succeeded
from tests.factories import ActiveCampaignFactory as CampaignFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def campaign(db):
    return CampaignFactory(currency_id="NGN")


def donate(campaign, amount: int, *, reference: str, fee: int = 0, tip: int = 0):
    """A same-currency donation whose fee comes out of the gift."""
    return ledger_post_donation_succeeded(
        reference=reference,
        campaign=campaign,
        charged_amount=amount + tip,
        charged_currency=campaign.currency_id,
        gift=amount,
        fee=fee,
        tip=tip,
        net_to_campaign=amount - fee,
    )


def fire_deferred_checks() -> None:
    """Run the deferred balance trigger now for everything inserted so far (PostgreSQL).

    Tests run inside a transaction that is rolled back, so COMMIT (where the trigger
    normally runs) never comes; this makes it run.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def assert_ledger_consistent() -> None:
    fire_deferred_checks()
    report = ledger_verify()
    assert report.problems == []


def run_in_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[Exception]]:
    """Run work(i) in `count` real threads released together; each closes its connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = work(index)
            with lock:
                results.append(outcome)
        except Exception as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors
