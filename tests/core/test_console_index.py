"""The console's index by section, each role's view of it, labels, the dashboard,
read-only pages and the README's list of staff groups."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from apps.audit.services import audit_log
from apps.campaigns.models import CampaignStatus
from apps.core.seeding import RENAMED_STAFF_GROUPS, STAFF_GROUPS, seed_staff_groups
from apps.donations.models import Donation, DonationStatus
from apps.withdrawals.models import BankAccount, Withdrawal, WithdrawalStatus
from krogiving.console.chart import daily_donations_svg
from krogiving.console.dashboard import donations_daily
from tests.factories import ActiveCampaignFactory, CampaignFactory, StaffFactory
from tests.staff import console_client

pytestmark = pytest.mark.django_db

SECTION_NAMES = ["Review", "Money", "People", "Platform", "System"]


@pytest.fixture
def groups():
    seed_staff_groups()


def member_of(group: str, email: str | None = None):
    member = StaffFactory(email=email or f"{group.lower()}@krogiving.test")
    member.groups.add(Group.objects.get(name=group))
    return member


def sections(page: str) -> list[str]:
    """The section captions of the index, in order."""
    return re.findall(r'class="section"[^>]*>([^<]+)</a>', page)


def links(page: str) -> set[str]:
    return set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', page))


# --- Groups and the README ------------------------------------------------------------


def test_the_readme_lists_the_groups_the_seed_creates():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    staff_console = readme.split("## Staff console", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- \*([^*]+)\*:", staff_console, flags=re.MULTILINE)

    assert listed == list(STAFF_GROUPS)


def test_the_seed_creates_the_groups_and_is_idempotent(groups):
    seed_staff_groups()

    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(STAFF_GROUPS)
    assert Group.objects.get(name="Superadmins").permissions.count() == Permission.objects.count()
    finance = {p.codename for p in Group.objects.get(name="Finance").permissions.all()}
    assert {"approve_withdrawal", "refund_donation", "change_platformsettings"} <= finance


def test_groups_seeded_under_their_old_names_are_renamed_with_their_members():
    old = Group.objects.create(name="Campaign reviewers")
    member = StaffFactory(email="old-reviewer@krogiving.test")
    member.groups.add(old)
    Group.objects.create(name="Administrators")

    seed_staff_groups()

    assert not Group.objects.filter(name__in=list(RENAMED_STAFF_GROUPS)).exists()
    assert list(member.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert old.pk == Group.objects.get(name="Reviewers").pk


# --- Sections per role ----------------------------------------------------------------


def test_a_superadmin_sees_every_section_in_order_with_the_plumbing_under_system(groups):
    page = console_client(member_of("Superadmins")).get("/admin/").content.decode()

    assert sections(page) == SECTION_NAMES
    system = page.split('id="section-system"', 1)[1]
    for table in (
        "/admin/axes/accessattempt/",
        "/admin/token_blacklist/blacklistedtoken/",
        "/admin/paystack_sandbox/sandboxtransaction/",
        "/admin/ledger/ledgertransaction/",
        "/admin/django_celery_beat/crontabschedule/",
        "/admin/otp_totp/totpdevice/",
        "/admin/payments/paystackevent/",
        "/admin/payments/paystackcall/",
    ):
        assert f'href="{table}"' in system, table


def test_a_reviewer_sees_review_and_not_money(groups):
    client = console_client(member_of("Reviewers"))
    page = client.get("/admin/").content.decode()

    assert "Review" in sections(page)
    assert "Money" not in sections(page) and "System" not in sections(page)
    assert "/admin/campaigns/campaign/" in links(page)
    assert not any(
        link.startswith(("/admin/withdrawals/", "/admin/donations/")) for link in links(page)
    )
    assert 'id="dashboard-review"' in page
    assert 'id="dashboard-payouts"' not in page and 'id="dashboard-chart"' not in page
    assert client.get("/admin/withdrawals/withdrawal/").status_code == 403
    assert client.get("/admin/donations/donation/").status_code == 403


def test_finance_sees_money_and_platform_and_no_review(groups):
    client = console_client(member_of("Finance"))
    page = client.get("/admin/").content.decode()

    assert sections(page) == ["Money", "Platform"]
    assert {"/admin/donations/donation/", "/admin/withdrawals/withdrawal/"} <= links(page)
    assert "/admin/platform_settings/platformsettings/" in links(page)
    assert 'id="dashboard-payouts"' in page and 'id="dashboard-chart"' in page
    assert 'id="dashboard-review"' not in page
    assert client.get("/admin/campaigns/campaign/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_support_sees_people(groups):
    client = console_client(member_of("Support"))
    page = client.get("/admin/").content.decode()

    assert "People" in sections(page) and "Money" in sections(page)
    assert "/admin/users/user/" in links(page)
    assert "System" not in sections(page)
    assert 'id="dashboard-payouts"' not in page
    assert client.get("/admin/withdrawals/withdrawal/").status_code == 403


def test_staff_without_a_verified_device_see_nothing():
    from django.test import Client

    member = StaffFactory(email="half@krogiving.test", is_superuser=True)
    client = Client()
    client.force_login(member)

    assert client.get("/admin/").status_code == 302


# --- Labels ---------------------------------------------------------------------------


def test_labels_are_human(groups):
    page = console_client(member_of("Superadmins")).get("/admin/").content.decode()

    for bad in ("OTP_TOTP", "Otp_Totp", "refreshs", "Platform_Settings", "Token Blacklist"):
        assert bad not in page, bad
    for good in (
        "Staff authenticators (TOTP)",
        "Exchange-rate refreshes",
        "Audit log",
        "Paystack webhook events",
        "Staff roles (groups)",
    ):
        assert good in page, good


def test_app_pages_have_human_names(groups):
    client = console_client(member_of("Superadmins"))

    assert "Staff authenticators" in client.get("/admin/otp_totp/").content.decode()
    assert "Platform settings" in client.get("/admin/platform_settings/").content.decode()


# --- Dashboard ------------------------------------------------------------------------


def donation(campaign, n: int, *, amount: int, currency: str = "NGN", paid_at=None, **fields):
    paid = {"status": DonationStatus.SUCCEEDED, "paid_at": paid_at or timezone.now()}
    return Donation.objects.create(
        reference=f"KRO-TEST-{n:04d}",
        campaign=campaign,
        email=f"donor{n}@example.com",
        currency_id=currency,
        amount=amount,
        charged_amount=amount,
        campaign_currency_id=campaign.currency_id,
        gift_campaign=amount,
        net_campaign=amount,
        **{**paid, **fields},
    )


def withdrawal(campaign, bank, n: int, amount: int, status: str):
    return Withdrawal.objects.create(
        reference=f"wd-dashboard-test-{n:04d}",
        campaign=campaign,
        requested_by=campaign.organizer,
        bank_account=bank,
        amount=amount,
        currency_id="NGN",
        status=status,
    )


@pytest.fixture
def activity():
    campaign = ActiveCampaignFactory(title="Ada walks again")
    CampaignFactory(title="Waiting one", status=CampaignStatus.PENDING_REVIEW)
    CampaignFactory(title="Waiting two", status=CampaignStatus.PENDING_REVIEW)
    now = timezone.now()
    donation(campaign, 1, amount=500_000_000)  # ₦5,000,000.00 today
    donation(campaign, 2, amount=12_050, currency="USD")  # $120.50 today
    donation(campaign, 3, amount=100_000, paid_at=now - timedelta(days=3), needs_review=True)
    donation(campaign, 4, amount=100_000, paid_at=now - timedelta(days=45))  # too old
    donation(campaign, 5, amount=999, status=DonationStatus.PENDING, paid_at=None)
    bank = BankAccount.objects.create(
        owner=campaign.organizer,
        currency_id="NGN",
        bank_code="044",
        account_last4="6789",
        account_fingerprint="f" * 64,
        account_name="ADA OBI",
        recipient_code="RCP_dash",
    )
    withdrawal(campaign, bank, 1, 250_000, WithdrawalStatus.REQUESTED)
    withdrawal(campaign, bank, 2, 150_000, WithdrawalStatus.REQUESTED)
    withdrawal(campaign, bank, 3, 70_000, WithdrawalStatus.APPROVED)
    withdrawal(campaign, bank, 4, 10_000, WithdrawalStatus.COMPLETED)
    return campaign


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_numbers(groups, activity):
    page = console_client(member_of("Superadmins")).get("/admin/").content.decode()
    block = {
        name: page.split(f'id="dashboard-{name}"', 1)[1].split("</section>", 1)[0]
        for name in ("review", "flagged", "payouts", "donations")
    }

    assert 'data-count="2"' in block["review"] and "Waiting one" in block["review"]
    assert 'data-count="1"' in block["flagged"] and "KRO-TEST-0003" in block["flagged"]
    payouts = text(block["payouts"])
    assert 'data-count="3"' in block["payouts"]
    assert "Waiting for approval NGN 2 ₦4,000.00" in payouts
    assert "Approved, being sent NGN 1 ₦700.00" in payouts
    donations = text(block["donations"])
    assert "NGN 1 ₦5,000,000.00 2 ₦5,001,000.00" in donations
    assert "USD 1 $120.50 1 $120.50" in donations


def test_the_chart_is_inline_svg_with_a_bar_per_day(groups, activity):
    page = console_client(member_of("Finance")).get("/admin/").content.decode()
    chart = page.split('id="dashboard-chart"', 1)[1].split("</section>", 1)[0]

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="console-chart"' in chart
    assert chart.count('<g class="bar"') == 30
    assert 'data-total="3"' in chart
    today = timezone.localdate().isoformat()
    assert f'data-day="{today}" data-count="2"' in chart
    assert "₦5,000,000.00" in chart and "$120.50" in chart
    assert "<script" not in page.split("<body", 1)[1].split("</footer>", 1)[0]
    assert "cdn" not in chart.lower()


def test_daily_totals_cover_every_day_oldest_first(activity):
    days = donations_daily()

    assert len(days) == 30
    assert days[-1].day == timezone.localdate()
    assert [d.count for d in days][-4:] == [1, 0, 0, 2]
    assert days[-1].by_currency["USD"].formatted == "$120.50"


def test_an_empty_chart_says_so():
    svg = daily_donations_svg(donations_daily())

    assert "No donations in these days yet." in svg and 'data-total="0"' in svg


# --- Read-only pages, platform settings, audit log -----------------------------------


def test_read_only_pages_have_no_save_button(groups):
    superadmin = member_of("Superadmins")
    entry = audit_log(actor=superadmin, action="test.thing", target_type="thing", target_id="7")
    client = console_client(superadmin)

    page = client.get(f"/admin/audit/adminlog/{entry.pk}/change/").content.decode()

    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert "deletelink" not in page
    assert "Close" in page
    assert client.post(f"/admin/audit/adminlog/{entry.pk}/change/", {}).status_code == 403


def test_the_audit_log_filters_by_actor_action_and_target(groups):
    superadmin = member_of("Superadmins")
    other = StaffFactory(email="other@krogiving.test")
    audit_log(actor=superadmin, action="campaign.approve", target_type="campaign", target_id="1")
    audit_log(actor=other, action="campaign.reject", target_type="campaign", target_id="2")
    audit_log(actor=other, action="user.suspend", target_type="user", target_id="1")
    client = console_client(superadmin)

    def rows(query: str) -> int:
        page = client.get(f"/admin/audit/adminlog/?{query}").content.decode()
        return page.count('class="field-sequence"')

    assert rows("") == 3
    assert rows(f"actor__id__exact={other.pk}") == 2
    assert rows("action__exact=campaign.reject") == 1
    assert rows("target_type=campaign&target_id=1") == 1
    assert rows("target_type__exact=user") == 1


def test_the_audit_log_is_for_superadmins_only(groups):
    assert console_client(member_of("Finance")).get("/admin/audit/adminlog/").status_code == 403


def test_the_platform_settings_page_shows_the_change_log(groups):
    from apps.platform_settings.services import platform_settings_update

    finance = member_of("Finance")
    platform_settings_update(actor=finance, changes={"fx_margin_bps": 321})
    page = console_client(finance).get("/admin/platform_settings/platformsettings/1/change/")

    html = page.content.decode()
    assert page.status_code == 200
    log = html.split('id="settings-change-log"', 1)[1]
    assert "fx_margin_bps" in log and "finance@krogiving.test" in log
    assert 'name="_save"' in html  # Finance may change the settings
