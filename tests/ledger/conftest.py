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
