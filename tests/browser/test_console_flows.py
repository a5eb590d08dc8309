"""The staff console in a real browser, as staff use it.

A finance staff member signs in with password and TOTP on the first try, sees the
dashboard and its chart, refunds part of a donation, and approves a payout on the
two-factor page; a reviewer approves a campaign from its page and is refused the payout
page. Paystack is faked at the HTTP layer (`responses` patches `requests` in this
process, the live server's thread included). The audit chain verifies afterwards.
"""

from __future__ import annotations

import binascii

import pytest
import responses
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AdminLog
from apps.campaigns.models import Campaign
from apps.core.seeding import seed_staff_groups
from apps.donations.models import Donation, DonationRefund
from apps.donations.services import donation_check_with_paystack, donation_initialize
from apps.withdrawals.models import Withdrawal
from apps.withdrawals.services import bank_account_create, withdrawal_request
from tests.donations.conftest import FakePaystack
from tests.factories import ActiveCampaignFactory, CampaignFactory, StaffFactory, UserFactory
from tests.paystack_transfers import FakeTransfers

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "console-Staff-pass-42"
KEY = "3132333435363738393031323334353637383930"


def staff(email: str, group: str) -> object:
    member = StaffFactory(email=email)
    member.set_password(PASSWORD)
    member.save()
    member.groups.add(Group.objects.get(name=group))
    TOTPDevice.objects.create(user=member, name="phone", confirmed=True, key=KEY)
    return member


def code(steps_ahead: int = 0) -> str:
    totp = TOTP(binascii.unhexlify(KEY), 30, 0, 6, 0)
    totp.time = totp.time + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in(page, email: str) -> None:
    page.goto("/admin/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", code())
    page.click("input[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def fakes(paystack_settings):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://localhost")
        mock.add_passthru("http://127.0.0.1")
        yield FakePaystack(mock), FakeTransfers(mock)


@pytest.fixture
def world(fakes):
    """A campaign with a paid donation and a withdrawal waiting for approval."""
    paystack, _ = fakes
    seed_staff_groups()
    organiser = UserFactory(email="organiser@example.com")
    campaign = ActiveCampaignFactory(organizer=organiser, currency_id="NGN", title="Ada walks")
    donation = donation_initialize(
        campaign=campaign.slug, amount=5_000_000, currency="NGN", email="donor@example.com"
    )
    paystack.pay(donation.reference)
    assert donation_check_with_paystack(donation=donation, source="verify", abandon=False) == (
        "applied"
    )
    account = bank_account_create(owner=organiser, bank_code="044", account_number="0123456789")
    withdrawal = withdrawal_request(
        actor=organiser, campaign=str(campaign.pk), amount=1_000_000, bank_account=str(account.pk)
    )
    return {"campaign": campaign, "donation": donation, "withdrawal": withdrawal}


def test_finance_signs_in_refunds_part_of_a_donation_and_approves_a_payout(page, world, fakes):
    member = staff("finance@krogiving.test", "Finance")
    paystack, transfers = fakes

    sign_in(page, member.email)

    # the first try lands on the dashboard, with its chart drawn on the server
    assert page.url.rstrip("/").endswith("/admin")
    assert page.locator("text=Payout queue").first.is_visible()
    assert page.locator("svg").count() >= 1
    assert "₦" in page.content()

    # a partial refund, with a confirmation page
    donation = world["donation"]
    page.goto(f"/admin/donations/donation/{donation.pk}/change/")
    page.click("a.refund-link")
    page.fill("input[name=amount]", "10000.00")
    page.fill("textarea[name=reason]", "The donor asked for part of it back.")
    page.click("input[name=confirm]")
    page.wait_for_load_state()
    refund = DonationRefund.objects.get(donation=donation)
    assert (refund.amount, refund.status) == (1_000_000, "pending")
    assert len(paystack.refunds) == 1

    # the payout, approved on the two-factor page with a fresh code
    withdrawal = world["withdrawal"]
    page.goto(f"/admin/withdrawals/withdrawal/approve/?ids={withdrawal.pk}")
    page.fill("input[name=otp]", code(1))  # the sign-in spent this step's code
    page.click("input[type=submit][value='Approve payouts']")
    page.wait_for_load_state()
    assert "approved" in page.content().lower()
    withdrawal.refresh_from_db()
    assert withdrawal.status == "processing"
    assert withdrawal.reviewed_by == member
    assert len(transfers.calls("/transfer")) == 1

    actions = set(AdminLog.objects.filter(actor=member).values_list("action", flat=True))
    assert {"donation.refund", "withdrawal.approve"} <= actions
    call_command("audit_verify")
    call_command("ledger_check")


def test_a_reviewer_approves_a_campaign_from_its_page_and_cannot_open_payouts(page, fakes):
    seed_staff_groups()
    member = staff("reviewer@krogiving.test", "Reviewers")
    waiting = CampaignFactory(status="pending_review", title="Clean water for Ikot")

    sign_in(page, member.email)
    page.goto(f"/admin/campaigns/campaign/{waiting.pk}/change/")
    page.click("a.review-approve")
    page.click("input[name=confirm_step]")
    page.wait_for_load_state()

    waiting.refresh_from_db()
    assert waiting.status == "active"
    entry = AdminLog.objects.get(actor=member, target_id=str(waiting.pk))
    assert (entry.before, entry.after["status"]) == (entry.before, "active")

    response = page.goto("/admin/withdrawals/withdrawal/")
    assert response.status == 403
    response = page.goto("/admin/withdrawals/withdrawal/approve/?ids=1")
    assert response.status == 403
    assert Withdrawal.objects.count() == 0
    assert Campaign.objects.get(pk=waiting.pk).status == "active"
    call_command("audit_verify")


def test_a_donation_page_shows_money_formatted(page, world):
    member = staff("finance2@krogiving.test", "Finance")
    sign_in(page, member.email)
    page.goto(f"/admin/donations/donation/{world['donation'].pk}/change/")
    assert "₦50,000.00" in page.content()
    assert Donation.objects.get().status == "succeeded"
