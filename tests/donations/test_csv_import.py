"""Offline donations (bank transfers) imported from CSV: dry run with row errors by line
number, all or nothing, idempotent by reference, the same settlement and ledger as online
donations, one audit row; the console page and `manage.py import_donations`."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.audit.models import AdminLog
from apps.campaigns.models import Campaign
from apps.core.errors import Forbidden, InvalidInput
from apps.donations.models import Donation, DonationEvent, DonorAggregate
from apps.donations.services import donations_import_offline, offline_rows_from_csv
from apps.ledger.models import LedgerTransaction
from apps.ledger.selectors import ledger_verify
from apps.notifications.models import Notification
from tests.factories import ActiveCampaignFactory
from tests.staff import console_client

from .conftest import assert_ledger_consistent, balances
from .console_roles import staff_with_role

pytestmark = pytest.mark.django_db

PAGE = "/admin/donations/donation/import/"


@pytest.fixture
def finance(db):
    return staff_with_role("finance")


def good_file(campaign) -> str:
    return (
        "reference,campaign,amount,currency,email,name,paid_at,note\n"
        f'BANK-001,{campaign.slug},"5,000.00",NGN,Ada@Example.com,Ada Obi,2025-01-31,GTB transfer\n'
        f"BANK-002,{campaign.pk},₦2000,NGN,bayo@example.com,,2025-02-01T09:30:00Z,\n"
        f"BANK-003,{campaign.slug},1000.50,NGN,ada@example.com,Ada Obi,2025-02-02,second gift\n"
    )


def run(text: str, actor, *, dry_run: bool):
    return donations_import_offline(
        rows=offline_rows_from_csv(text.encode()), actor=actor, dry_run=dry_run, file_name="t.csv"
    )


def test_a_dry_run_checks_every_row_and_writes_nothing(campaign, finance):
    result = run(good_file(campaign), finance, dry_run=True)

    assert [(r.line, r.outcome) for r in result.rows] == [
        (2, "would_import"),
        (3, "would_import"),
        (4, "would_import"),
    ]
    assert result.rows[0].amount == 500000 and result.rows[0].fee == 30000
    assert not Donation.objects.exists() and not AdminLog.objects.exists()


def test_row_errors_name_their_line_and_nothing_is_applied(campaign, finance):
    text = (
        "reference,campaign,amount,currency,email,paid_at\n"
        f"OK-1,{campaign.slug},5000,NGN,ada@example.com,2025-01-31\n"
        f"OK-2,no-such-campaign,5000,NGN,not-an-email,2025-01-31\n"
        "\n"
        f"OK-1,{campaign.slug},12.345,NGN,ada@example.com,tomorrow\n"
        f'"OK-4",{campaign.slug},"5,000",XXX,ada@example.com,2999-01-01\n'
    )

    result = run(text, finance, dry_run=False)

    assert not result.applied
    errors = {row.line: row.errors for row in result.rows if row.outcome == "error"}
    assert set(errors) == {3, 5, 6}  # the blank line 4 is not a row
    assert any("campaign" in e for e in errors[3]) and any("email" in e for e in errors[3])
    assert any("also on line 2" in e for e in errors[5])
    assert any("decimal places" in e for e in errors[5]) and any("paid_at" in e for e in errors[5])
    assert any("currency" in e for e in errors[6]) and any("future" in e for e in errors[6])
    assert result.rows[0].outcome == "would_import"
    assert not Donation.objects.exists()
    assert not LedgerTransaction.objects.exists()
    assert not AdminLog.objects.exists()


def test_the_apply_settles_like_an_online_donation(
    campaign, finance, django_capture_on_commit_callbacks
):
    before = balances(campaign)

    with django_capture_on_commit_callbacks(execute=True):
        result = run(good_file(campaign), finance, dry_run=False)

    assert result.applied and result.counts["imported"] == 3
    donations = {d.reference: d for d in Donation.objects.all()}
    first = donations["BANK-001"]
    assert first.status == "succeeded" and first.channel == "offline"
    assert first.settled_via == "import" and first.email == "ada@example.com"
    assert (first.amount, first.fee_amount, first.net_campaign) == (500000, 30000, 470000)
    assert first.paid_at.isoformat().startswith("2025-01-31")
    assert [e.type for e in DonationEvent.objects.filter(donation=first).order_by("id")] == [
        "created",
        "succeeded",
    ]
    assert DonationEvent.objects.filter(donation=first, type="succeeded").get().data["note"] == (
        "GTB transfer"
    )
    posting = LedgerTransaction.objects.get(reference=f"donation:{first.pk}:succeeded")
    assert posting.memo["channel"] == "offline"
    campaign = Campaign.objects.get(pk=campaign.pk)
    total_gift = 500000 + 200000 + 100050
    assert campaign.raised_amount == total_gift
    assert campaign.donor_count == 2  # ada twice, bayo once
    ada = DonorAggregate.objects.get(campaign=campaign, donor_key="email:ada@example.com")
    assert (ada.total, ada.donation_count) == (600050, 2)
    after = balances(campaign)
    fees = sum(d.fee_amount for d in donations.values())
    assert after["available"] - before["available"] == total_gift - fees
    assert after["fees"] - before["fees"] == fees
    assert_ledger_consistent()
    assert ledger_verify().problems == []
    entry = AdminLog.objects.get(action="donation.import_offline")
    assert entry.actor == finance and entry.target_id == "t.csv"
    assert entry.after["imported"] == 3 and entry.after["rows"] == 3
    receipts = Notification.objects.filter(template="donation_receipt")
    assert sorted(receipts.values_list("recipient", flat=True)) == [
        "ada@example.com",
        "ada@example.com",
        "bayo@example.com",
    ]


def test_re_importing_the_same_file_changes_nothing_and_says_so(campaign, finance):
    run(good_file(campaign), finance, dry_run=False)
    raised = Campaign.objects.get(pk=campaign.pk).raised_amount
    postings = LedgerTransaction.objects.count()

    again = run(good_file(campaign), finance, dry_run=False)

    assert [r.outcome for r in again.rows] == ["already_imported"] * 3
    assert all(r.donation_id for r in again.rows)
    assert Donation.objects.count() == 3
    assert LedgerTransaction.objects.count() == postings
    assert Campaign.objects.get(pk=campaign.pk).raised_amount == raised
    assert_ledger_consistent()


def test_one_bad_row_with_new_ones_applies_none(campaign, finance):
    run(good_file(campaign), finance, dry_run=False)
    text = (
        "reference,campaign,amount,currency,email,paid_at\n"
        f"BANK-010,{campaign.slug},7000,NGN,new@example.com,2025-01-01\n"
        f"BANK-001,{campaign.slug},9999,NGN,x@example.com,2025-01-01\n"
    )

    result = run(text, finance, dry_run=False)

    assert not result.applied
    assert [r.outcome for r in result.rows] == ["would_import", "error"]
    assert result.rows[1].line == 3 and "already used" in result.rows[1].errors[0]
    assert Donation.objects.count() == 3
    assert not Donation.objects.filter(reference="BANK-010").exists()


def test_a_reference_of_an_online_donation_is_an_error(donate, campaign, finance):
    online = donate(campaign, amount=500000)["reference"]
    text = (
        "reference,campaign,amount_minor,currency,email,paid_at\n"
        f"{online},{campaign.slug},500000,NGN,ada@example.com,2025-01-01\n"
    )

    result = run(text, finance, dry_run=True)

    assert result.rows[0].outcome == "error"


def test_amount_minor_and_other_campaign_statuses(finance):
    ended = ActiveCampaignFactory(status="ended")
    suspended = ActiveCampaignFactory(status="suspended")
    text = (
        "reference,campaign,amount_minor,currency,email,paid_at\n"
        f"A-1,{ended.slug},250000,NGN,a@example.com,2025-01-01\n"
        f"A-2,{suspended.slug},250000,NGN,a@example.com,2025-01-01\n"
    )

    result = run(text, finance, dry_run=True)

    assert [r.outcome for r in result.rows] == ["would_import", "error"]
    assert result.rows[0].amount == 250000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("reference,campaign,amount\n", "missing column"),
        ("reference,campaign,amount,currency,email,paid_at,colour\n", "unknown column"),
        ("reference,campaign,amount,currency,email,paid_at\n", "no rows"),
    ],
)
def test_a_file_without_the_columns_is_refused(text, message):
    with pytest.raises(InvalidInput, match=message):
        offline_rows_from_csv(text.encode())


def test_only_staff_with_the_import_permission(campaign):
    for role in ("support", "reviewer"):
        with pytest.raises(Forbidden):
            run(good_file(campaign), staff_with_role(role), dry_run=True)


def test_the_console_page_dry_run_then_apply(campaign, finance):
    client = console_client(finance)
    assert "import/" in client.get("/admin/donations/donation/").content.decode()
    assert client.get(PAGE).status_code == 200

    def upload(text, dry_run):
        data = {"file": SimpleUploadedFile("bank.csv", text.encode(), "text/csv")}
        if dry_run:
            data["dry_run"] = "on"
        return client.post(PAGE, data).content.decode()

    bad = good_file(campaign) + "BANK-009,nowhere,5000,NGN,a@example.com,2025-01-01,\n"
    page = upload(bad, dry_run=False)
    assert "Line 5: campaign" in page and "nothing was imported" in page
    assert not Donation.objects.exists()

    page = upload(good_file(campaign), dry_run=True)
    assert "would be imported" in page and "₦5,000.00" in page and "₦300.00" in page
    assert not Donation.objects.exists()

    page = upload(good_file(campaign), dry_run=False)
    assert "Imported 3 donation(s)" in page
    assert Donation.objects.count() == 3

    page = upload(good_file(campaign), dry_run=False)
    assert "Imported 0 donation(s); 3 were already imported" in page
    assert Donation.objects.count() == 3


def test_support_and_reviewers_cannot_open_the_import_page():
    for role in ("support", "reviewer"):
        assert console_client(staff_with_role(role)).get(PAGE).status_code == 403


def test_the_management_command(campaign, finance, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text(good_file(campaign), encoding="utf-8")
    out = io.StringIO()

    call_command("import_donations", str(path), "--dry-run", "--actor", finance.email, stdout=out)
    assert "line 2: BANK-001: would_import" in out.getvalue()
    assert not Donation.objects.exists()

    call_command("import_donations", str(path), "--actor", finance.email, stdout=io.StringIO())
    assert Donation.objects.count() == 3

    out = io.StringIO()
    call_command("import_donations", str(path), "--actor", finance.email, stdout=out)
    assert "already_imported 3" in out.getvalue()
    assert ledger_verify().problems == []

    path.write_text(good_file(campaign) + "X,nowhere,1,NGN,a,2025-01-01,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_donations", str(path), "--actor", finance.email, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No staff member"):
        call_command("import_donations", str(path), "--actor", "nobody@example.com")


def test_an_imported_donation_is_not_refunded_through_paystack(campaign, finance, staff_api):
    run(good_file(campaign), finance, dry_run=False)
    donation = Donation.objects.filter(settled_via="import").first()

    response = staff_api.post(
        f"/v1/admin/donations/{donation.pk}/refund", {"reason": "asked"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "donation_offline"
    assert donation.refunds.count() == 0
    assert balances(campaign)["held"] == 0
