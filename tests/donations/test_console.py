"""The donations console: who sees what, money formatted, search and filters, refunds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AdminLog
from apps.donations.models import Donation, DonationRefund
from tests.staff import console_client

from .conftest import assert_ledger_consistent
from .console_roles import staff_with_role

pytestmark = pytest.mark.django_db

LIST = "/admin/donations/donation/"


@pytest.fixture
def given(donate, campaign):
    """A succeeded donation of NGN 5,000 (fee NGN 300 out of it) with a NGN 200 tip."""
    reference = donate(campaign, amount=500000, tip_amount=20000, name="Ada Obi")["reference"]
    return Donation.objects.get(reference=reference)


@pytest.fixture
def finance(db):
    return console_client(staff_with_role("finance"))


@pytest.fixture
def support(db):
    return console_client(staff_with_role("support"))


@pytest.fixture
def reviewer(db):
    return console_client(staff_with_role("reviewer"))


def test_each_role_sees_donations_only_with_the_permission(given, finance, support, reviewer):
    assert finance.get(LIST).status_code == 200
    assert support.get(LIST).status_code == 200
    assert reviewer.get(LIST).status_code == 403
    assert reviewer.get(f"{LIST}{given.pk}/change/").status_code == 403
    assert reviewer.get(f"{LIST}export/").status_code == 403


def test_money_is_formatted_on_the_list_and_the_page(given, finance):
    listing = finance.get(LIST).content.decode()
    page = finance.get(f"{LIST}{given.pk}/change/").content.decode()

    assert "₦5,200.00" in listing  # charged: gift + tip
    assert "520000" not in listing
    for shown in ("₦5,200.00", "₦5,000.00", "₦300.00", "₦200.00", "₦4,700.00"):
        assert shown in page
    assert "Timeline" in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ada@example.com", True),
        ("Ada Obi", True),
        ("Campaign number", True),
        ("nobody-here", False),
    ],
)
def test_search_by_email_name_campaign_title(given, finance, query, found):
    body = finance.get(LIST, {"q": query}).content.decode()

    assert (given.reference in body) is found


def test_search_by_reference(given, finance):
    assert given.reference in finance.get(LIST, {"q": given.reference}).content.decode()


def test_filters_by_status_currency_and_date_range(given, finance, start, campaign):
    pending = start(campaign=campaign.slug, email="later@example.com").json()["reference"]
    today = timezone.now().date()
    tomorrow = today + timedelta(days=1)

    def shown(**query):
        body = finance.get(LIST, query).content.decode()
        return {ref for ref in (given.reference, pending) if ref in body}

    assert shown(status__exact="pending") == {pending}
    assert shown(currency__code__exact="NGN") == {given.reference, pending}
    assert shown(currency__code__exact="GHS") == set()
    assert shown(created_at__from=str(today), created_at__to=str(today)) == {
        given.reference,
        pending,
    }
    assert shown(created_at__from=str(tomorrow)) == set()
    assert shown(paid_at__from=str(today)) == {given.reference}


def test_finance_refunds_part_of_a_donation_from_its_page(given, finance, paystack):
    page = finance.get(f"{LIST}{given.pk}/change/").content.decode()
    assert f"{LIST}{given.pk}/refund/" in page

    confirm = finance.get(f"{LIST}{given.pk}/refund/")
    assert confirm.status_code == 200
    assert "₦5,200.00" in confirm.content.decode()

    response = finance.post(
        f"{LIST}{given.pk}/refund/", {"amount": "1,000.50", "reason": "Paid twice"}, follow=True
    )

    assert response.status_code == 200
    refund = DonationRefund.objects.get(donation=given)
    assert refund.amount == 100050 and refund.status == "pending"
    assert "₦1,000.50" in response.content.decode()
    entry = AdminLog.objects.get(action="donation.refund", target_id=str(given.pk))
    assert entry.actor.email == "finance@krogiving.test"
    assert entry.after["amount"] == 100050
    assert_ledger_consistent()


def test_an_empty_amount_refunds_all_that_is_left(given, finance, paystack):
    finance.post(f"{LIST}{given.pk}/refund/", {"amount": "", "reason": "Fraud"})

    assert DonationRefund.objects.get(donation=given).amount == given.charged_amount


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("9,000.00", "is left to refund"),
        ("12.345", "decimal places"),
        ("abc", "Not an amount"),
    ],
)
def test_refusals_are_shown_as_messages(given, finance, paystack, amount, message):
    response = finance.post(
        f"{LIST}{given.pk}/refund/", {"amount": amount, "reason": "Asked"}, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DonationRefund.objects.exists()
    assert not AdminLog.objects.filter(action="donation.refund").exists()


def test_support_cannot_refund(given, support, paystack):
    page = support.get(f"{LIST}{given.pk}/change/").content.decode()

    assert "/refund/" not in page
    assert support.get(f"{LIST}{given.pk}/refund/").status_code == 403
    assert support.post(f"{LIST}{given.pk}/refund/", {"reason": "x"}).status_code == 403
    assert not DonationRefund.objects.exists()


def test_no_save_or_delete_on_a_donation(given, finance):
    page = finance.get(f"{LIST}{given.pk}/change/").content.decode()

    assert 'name="_save"' not in page
    assert finance.post(f"{LIST}{given.pk}/delete/").status_code == 403
