import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.ledger.models import Account, AccountKind, Entry, LedgerTransaction
from tests.factories import StaffFactory
from tests.ledger.conftest import donate
from tests.staff import console_client

pytestmark = pytest.mark.django_db

ACCOUNTS = "/admin/ledger/account/"
TRANSACTIONS = "/admin/ledger/ledgertransaction/"


@pytest.fixture
def staff_client() -> Client:
    """Staff with every ledger permission, signed in with a verified TOTP device."""
    member = StaffFactory(email="finance@krogiving.test")
    member.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="ledger"),
    )
    return console_client(member)


def test_staff_see_balances_and_transactions_with_their_entries(staff_client, campaign):
    posted = donate(campaign, 12_345, fee=345, reference="donation:77:succeeded")

    accounts = staff_client.get(ACCOUNTS)
    detail = staff_client.get(f"{TRANSACTIONS}{posted.pk}/change/")
    listing = staff_client.get(TRANSACTIONS, {"q": "donation:77"})

    assert accounts.status_code == 200
    html = accounts.content.decode()
    assert '<td class="field-balance">12000</td>' in html  # the campaign's available
    assert '<td class="field-balance">345</td>' in html  # platform fees
    assert '<td class="field-balance">-12345</td>' in html  # Paystack clearing
    assert detail.status_code == 200
    assert b"-12345" in detail.content  # the clearing entry, shown inline
    assert listing.status_code == 200 and b"donation:77:succeeded" in listing.content


def test_nothing_in_the_ledger_admin_can_be_added_changed_or_deleted(staff_client, campaign):
    posted = donate(campaign, 10_000, reference="donation:1:succeeded")
    available = Account.objects.get(kind=AccountKind.CAMPAIGN_AVAILABLE)

    assert staff_client.get(f"{ACCOUNTS}add/").status_code == 403
    assert staff_client.get(f"{TRANSACTIONS}add/").status_code == 403
    assert staff_client.post(f"{ACCOUNTS}{available.pk}/change/", {"balance": 1}).status_code == 403
    assert (
        staff_client.post(f"{ACCOUNTS}{available.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert (
        staff_client.post(f"{TRANSACTIONS}{posted.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert "delete_selected" not in staff_client.get(ACCOUNTS).content.decode()

    available.refresh_from_db()
    assert available.balance == 10_000
    assert LedgerTransaction.objects.count() == 1
    assert Entry.objects.count() == 2
