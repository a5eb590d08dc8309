"""`manage.py seed --demo`: a living platform through the real services (the Paystack
sandbox served on a loopback port by the seed itself), idempotent, staff secrets printed
once. Transactional: the payout services insist on their own (durable) transactions."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.campaigns.models import Campaign, CampaignMedia, CampaignStatus, Comment
from apps.currency.models import ExchangeRate
from apps.donations.models import Donation
from apps.ledger.selectors import ledger_verify
from apps.users.models import User
from apps.withdrawals.models import Withdrawal, WithdrawalStatus

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "campaigns": Campaign.objects.count(),
        "media": CampaignMedia.objects.count(),
        "donations": Donation.objects.count(),
        "comments": Comment.objects.count(),
        "rates": ExchangeRate.objects.count(),
        "withdrawals": Withdrawal.objects.count(),
        "devices": TOTPDevice.objects.count(),
    }


def test_seed_demo_builds_a_living_platform_once():
    out = io.StringIO()
    call_command("seed", "--demo", stdout=out)
    text = out.getvalue()

    statuses = set(Campaign.objects.values_list("status", flat=True))
    assert statuses == set(CampaignStatus.values)
    for campaign in Campaign.objects.all():
        media = CampaignMedia.objects.get(campaign=campaign)
        assert media.content_type == "image/png"
        assert media.file.storage.exists(media.file.name)
    assert set(Donation.objects.values_list("currency_id", flat=True)) == {
        "NGN",
        "USD",
        "GHS",
        "KES",
        "ZAR",
    }
    assert not Donation.objects.exclude(status="succeeded").exists()
    assert Campaign.objects.filter(raised_amount__gt=0).count() == 4
    assert Comment.objects.count() == 4
    assert sorted(Withdrawal.objects.values_list("status", flat=True)) == sorted(
        [WithdrawalStatus.COMPLETED, WithdrawalStatus.REQUESTED]
    )
    for group in ("Reviewers", "Finance", "Support", "Superadmins"):
        (member,) = Group.objects.get(name=group).user_set.all()
        device = TOTPDevice.objects.get(user=member, confirmed=True)
        assert text.count(device.config_url) == 1
        assert member.email in text
    assert "otpauth://totp/" in text
    assert ledger_verify().problems == []

    before = _counts()
    again = io.StringIO()
    call_command("seed", "--demo", stdout=again)
    assert _counts() == before
    assert "nothing added" in again.getvalue()
    assert "otpauth://" not in again.getvalue()

    if_new = io.StringIO()
    call_command("seed", "--demo-if-new", stdout=if_new)
    assert _counts() == before
    assert "no demo added" in if_new.getvalue()


def test_seed_demo_if_new_says_so_on_a_new_database():
    out = io.StringIO()
    call_command("seed", "--demo-if-new", stdout=out)
    assert "New database: seeded the demo platform" in out.getvalue()
    assert "Staff sign-in" in out.getvalue()
    assert Campaign.objects.exists()
