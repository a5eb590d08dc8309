"""`manage.py export_donations`, `export_campaigns`, `create_staff` and the import's
progress bar, on real files against PostgreSQL."""

import csv
import io
import tracemalloc
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.campaigns.exports import HEADER as CAMPAIGN_HEADER
from apps.core.seeding import seed_staff_groups
from apps.donations.exports import HEADER
from apps.donations.models import Donation
from apps.users.models import User
from tests.factories import CampaignFactory

from .console_roles import staff_with_role

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def donation(campaign, reference: str, **fields) -> Donation:
    values = {
        "reference": reference,
        "campaign": campaign,
        "email": "ada@example.com",
        "name": "Ada Obi",
        "currency_id": "NGN",
        "amount": 500000,
        "charged_amount": 500000,
        "campaign_currency_id": campaign.currency_id,
        "gift_campaign": 500000,
        "net_campaign": 470000,
        "status": "succeeded",
    }
    values.update(fields)
    return Donation(**values)


def read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_donations_filters_and_writes_the_documented_columns(campaign, tmp_path):
    other = CampaignFactory(currency_id="NGN", status="active")
    Donation.objects.bulk_create(
        [
            donation(campaign, "R-1"),
            donation(campaign, "R-2", status="pending", name="=HYPERLINK()"),
            donation(campaign, "R-3", currency_id="USD", amount=1000, charged_amount=1000),
            donation(other, "R-4"),
        ]
    )
    old = Donation.objects.get(reference="R-1")
    Donation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))

    out = tmp_path / "all.csv"
    call_command("export_donations", "-o", str(out), stderr=io.StringIO())
    rows = read(out)
    assert list(rows[0]) == HEADER
    assert {r["reference"] for r in rows} == {"R-1", "R-2", "R-3", "R-4"}
    assert next(r for r in rows if r["reference"] == "R-2")["name"] == "'=HYPERLINK()"

    def refs(*args: str) -> set[str]:
        target = tmp_path / f"{uuid.uuid4()}.csv"
        call_command("export_donations", "-o", str(target), *args, stderr=io.StringIO())
        return {r["reference"] for r in read(target)}

    assert refs("--campaign", campaign.slug) == {"R-1", "R-2", "R-3"}
    assert refs("--campaign", str(other.pk)) == {"R-4"}
    assert refs("--status", "pending") == {"R-2"}
    assert refs("--status", "pending", "--status", "succeeded") == {"R-1", "R-2", "R-3", "R-4"}
    assert refs("--currency", "usd") == {"R-3"}
    today = timezone.now().date().isoformat()
    assert refs("--since", today) == {"R-2", "R-3", "R-4"}
    old_day = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert refs("--until", old_day) == {"R-1"}
    with pytest.raises(CommandError, match="No campaign"):
        refs("--campaign", "no-such-campaign")
    with pytest.raises(CommandError, match="not a date"):
        refs("--since", "yesterday")


def test_export_to_stdout_is_plain_csv_without_a_progress_bar(campaign):
    Donation.objects.bulk_create([donation(campaign, "R-1")])
    out, err = io.StringIO(), io.StringIO()
    call_command("export_donations", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0].split(",") == HEADER
    assert len(lines) == 2
    assert err.getvalue() == ""


def test_a_terminal_gets_a_progress_bar(campaign, tmp_path):
    Donation.objects.bulk_create([donation(campaign, f"R-{n}") for n in range(5)])
    err = Terminal()
    call_command("export_donations", "-o", str(tmp_path / "x.csv"), stderr=err)
    assert "\r[" in err.getvalue()
    assert "100%" in err.getvalue()
    assert "5/5 donations" in err.getvalue()


def test_export_campaigns(campaign, tmp_path):
    CampaignFactory(currency_id="USD", status="draft")
    out = tmp_path / "campaigns.csv"
    call_command("export_campaigns", "-o", str(out), stderr=io.StringIO())
    rows = read(out)
    assert list(rows[0]) == CAMPAIGN_HEADER
    assert len(rows) == 2
    only = tmp_path / "active.csv"
    call_command("export_campaigns", "-o", str(only), "--status", "active", stderr=io.StringIO())
    (row,) = read(only)
    assert row["slug"] == campaign.slug
    assert row["organizer_email"] == campaign.organizer.email
    assert row["goal_amount"] == str(campaign.goal_amount)


def test_a_100000_row_export_stays_under_a_fixed_memory_bound(campaign, tmp_path):
    """Streamed in chunks: the peak is a few MB, not the whole result (100,000 rows of
    27 columns held at once would be well over 100 MB as Python objects)."""
    # One row made by the ORM, copied 99,999 times by PostgreSQL (fast, and every row a
    # real donation with its own id and reference).
    Donation.objects.bulk_create([donation(campaign, "BULK-0")])
    table = Donation._meta.db_table
    fields = Donation._meta.concrete_fields
    columns = [f.column for f in fields if f.column not in ("id", "reference")]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, reference, {listed}) "
            f"SELECT gen_random_uuid(), 'BULK-' || n, {listed} FROM {table}, "
            "generate_series(1, 99999) AS n WHERE reference = 'BULK-0'"
        )
    out = tmp_path / "big.csv"
    tracemalloc.start()
    try:
        call_command("export_donations", "-o", str(out), stderr=io.StringIO())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with open(out, encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 100_001
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_import_donations_draws_its_progress_on_a_terminal_only(campaign, tmp_path):
    finance = staff_with_role("finance")
    path = tmp_path / "bank.csv"
    path.write_text(
        "reference,campaign,amount,currency,email,paid_at\n"
        f"BANK-1,{campaign.slug},5000,NGN,ada@example.com,2025-01-31\n"
        f"BANK-2,{campaign.slug},7000,NGN,bayo@example.com,2025-01-31\n"
    )
    plain_out, plain_err = io.StringIO(), io.StringIO()
    args = ("import_donations", str(path), "--actor", finance.email)
    call_command(*args, "--dry-run", stdout=plain_out, stderr=plain_err)
    assert plain_err.getvalue() == ""
    assert "line 2: BANK-1: would_import" in plain_out.getvalue()

    err = Terminal()
    call_command(*args, stdout=io.StringIO(), stderr=err)
    assert "2/2 rows checked" in err.getvalue()
    assert "2/2 donations imported" in err.getvalue()
    assert Donation.objects.filter(reference__in=["BANK-1", "BANK-2"]).count() == 2


def test_create_staff_puts_them_in_the_role_with_a_confirmed_authenticator():
    seed_staff_groups()
    out = io.StringIO()
    call_command(
        "create_staff",
        "Fola@KROGiving.test",
        "--role",
        "finance",
        "--password",
        "a-long-staff-password-1",
        stdout=out,
    )
    user = User.objects.get(email="fola@krogiving.test")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Finance"]
    assert user.check_password("a-long-staff-password-1")
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert device.config_url in out.getvalue()
    assert "otpauth://totp/" in out.getvalue()
    assert user.has_perm("withdrawals.approve_withdrawal")

    generated = io.StringIO()
    call_command("create_staff", "rev@krogiving.test", "--role", "reviewer", stdout=generated)
    assert "Password (shown once): " in generated.getvalue()
    assert Group.objects.get(name="Reviewers").user_set.filter(email="rev@krogiving.test")

    with pytest.raises(CommandError, match="exists already"):
        call_command("create_staff", "fola@krogiving.test", "--role", "support")
    with pytest.raises(CommandError, match="password"):
        call_command("create_staff", "x@krogiving.test", "--role", "support", "--password", "1")
