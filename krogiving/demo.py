"""`manage.py seed --demo`: a living platform to look at, made through the real services.

Everything goes through the services the API and the console use; nothing is written
behind their back except where noted:

- organisers (plain accounts) with campaigns in every status: draft, pending review,
  active, rejected, ended, closed, suspended. Each has a small generated PNG uploaded
  through the media service (`campaign_media_upload`), is submitted by its organiser and
  reviewed by the demo reviewer. The ended campaign's end date is moved into the past
  (as if its time ran out: the one direct write) and the real job
  `campaigns_end_expired` ends it.
- exchange rates entered by the demo finance member (`exchange_rate_record_manual`, USD
  against every other enabled currency; cross rates go through USD), then donations in
  NGN, USD, GHS, KES and ZAR settled through the offline import service
  (`donations_import_offline`: the same ledger postings, raised amounts and receipts as
  a Paystack donation).
- comments by donors (`comment_create`).
- withdrawals: a bank account added through Paystack (`bank_account_create`), one
  withdrawal left waiting for approval, and one approved by the demo finance member with
  a code from their authenticator (`payouts_approve`); the transfer goes to Paystack and
  its `transfer.success` webhook completes it. On the embedded default Paystack is the
  offline sandbox, served by this process: the demo starts a loopback server for the
  duration of the seed and points PUBLIC_BASE_URL at it, so the sandbox's API and its
  webhooks run exactly as under `make run`. With a real PAYSTACK_SECRET_KEY (or tasks
  on a worker) the withdrawals are left as Paystack and the worker take them.
- a staff member per role (Reviewers, Finance, Support, Superadmins) with a random
  password and a confirmed authenticator, printed ONCE, when they are created.

Idempotent: each step looks for what it would create (accounts by email, campaigns by
organiser and title, donations by reference, rates, withdrawals per campaign) and a
second run adds nothing.
"""

from __future__ import annotations

import io
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.campaigns.media import campaign_media_upload
from apps.campaigns.models import Campaign, CampaignStatus, Comment
from apps.campaigns.services import (
    campaign_approve,
    campaign_close,
    campaign_create,
    campaign_reject,
    campaign_submit,
    campaign_suspend,
    campaigns_end_expired,
    comment_create,
)
from apps.currency.models import Currency, ExchangeRate
from apps.currency.services import exchange_rate_record_manual
from apps.donations.models import Donation
from apps.donations.services import donations_import_offline, offline_rows_from_csv
from apps.payments.signing import secret_key
from apps.payouts.services import payouts_approve
from apps.users.models import User
from apps.users.services import staff_member_create
from apps.withdrawals.models import BankAccount, Withdrawal
from apps.withdrawals.services import bank_account_create, withdrawal_request

logger = logging.getLogger(__name__)

DEMO_DOMAIN = "demo.krogiving.local"
ORGANISER_PASSWORD = "krogiving-demo-organiser"
DONOR_PASSWORD = "krogiving-demo-donor"
STAFF = (
    ("reviewer", "Reviewers"),
    ("finance", "Finance"),
    ("support", "Support"),
    ("superadmin", "Superadmins"),
)
# 1 USD = rate X (entered by finance; the platform margin applies on use).
RATES = {"NGN": "1550.00", "GHS": "15.50", "KES": "129.00", "ZAR": "18.20"}
STORY = (
    "{title}. This is a demo campaign on a local KROGiving: the money, the donors and the "
    "organiser are made up. It shows how a campaign looks while it raises money, with its "
    "story, its pictures, its donations in several currencies and its comments."
)


@dataclass(frozen=True)
class DemoCampaign:
    key: str
    organiser: str
    title: str
    goal: int  # minor units of NGN
    status: str
    category: str = "medical"


CAMPAIGNS = (
    DemoCampaign("surgery", "amaka", "Heart surgery for little Tobi", 1_500_000_00, "active"),
    DemoCampaign(
        "school",
        "amaka",
        "Rebuild the Ikorodu primary school roof",
        800_000_00,
        "active",
        "education",
    ),
    DemoCampaign(
        "borehole", "kwame", "A borehole for Oke-Ode village", 600_000_00, "ended", "community"
    ),
    DemoCampaign(
        "flood", "kwame", "Flood relief for Makoko families", 1_000_000_00, "closed", "emergencies"
    ),
    DemoCampaign(
        "laptops", "amaka", "Laptops for the coding club", 300_000_00, "pending_review", "education"
    ),
    DemoCampaign(
        "startup", "kwame", "Seed money for my startup", 5_000_000_00, "rejected", "business"
    ),
    DemoCampaign("mystery", "kwame", "Help me, details later", 200_000_00, "suspended", "others"),
    DemoCampaign(
        "library", "amaka", "A reading corner for Ajegunle", 250_000_00, "draft", "education"
    ),
)
ORGANISERS = {"amaka": ("Amaka", "Okafor"), "kwame": ("Kwame", "Mensah")}
DONORS = {"ada": ("Ada", "Obi"), "bayo": ("Bayo", "Adeyemi"), "wanjiru": ("Wanjiru", "Kamau")}
# (reference, campaign key, amount in major units, currency, donor)
DONATIONS = (
    ("DEMO-001", "surgery", "250000", "NGN", "ada"),
    ("DEMO-002", "surgery", "150", "USD", "bayo"),
    ("DEMO-003", "surgery", "900", "GHS", "wanjiru"),
    ("DEMO-004", "school", "120000", "NGN", "bayo"),
    ("DEMO-005", "school", "5000", "KES", "wanjiru"),
    ("DEMO-006", "school", "800", "ZAR", "ada"),
    ("DEMO-007", "borehole", "300000", "NGN", "ada"),
    ("DEMO-008", "borehole", "75", "USD", "wanjiru"),
    ("DEMO-009", "flood", "200000", "NGN", "bayo"),
)
COMMENTS = (
    ("surgery", "ada", "Praying for Tobi's quick recovery!"),
    ("surgery", "bayo", "Shared with my church group. We've got this."),
    ("school", "wanjiru", "Education changes everything. Greetings from Nairobi."),
    ("borehole", "ada", "Clean water at last. Well done, everyone."),
)
# Withdrawals, in minor units of NGN: one paid, one waiting for approval.
PAID_WITHDRAWAL = ("borehole", 150_000_00)
WAITING_WITHDRAWAL = ("surgery", 100_000_00)
BANK = ("044", "0123456789")  # Access Bank (the sandbox resolves any such number)


@dataclass
class StaffLogin:
    role: str
    email: str
    password: str
    otpauth_url: str


@dataclass
class DemoReport:
    lines: list[str] = field(default_factory=list)
    staff: list[StaffLogin] = field(default_factory=list)
    added: int = 0

    def note(self, text: str, *, added: int = 1) -> None:
        self.lines.append(text)
        self.added += added


def _email(name: str) -> str:
    return f"{name}@{DEMO_DOMAIN}"


def _account(name: str, first: str, last: str, password: str, report: DemoReport) -> User:
    user = User.objects.filter(email=_email(name)).first()
    if user is None:
        user = User.objects.create_user(
            email=_email(name), password=password, first_name=first, last_name=last
        )
        report.note(f"account {user.email}")
    return user


def _staff(report: DemoReport) -> dict[str, User]:
    members: dict[str, User] = {}
    for role, _group in STAFF:
        email = _email(f"staff-{role}")
        user = User.objects.filter(email=email).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user, device = staff_member_create(
                email=email, role=role, password=password, actor=None, first_name=role.title()
            )
            report.staff.append(StaffLogin(role, email, password, device.config_url))
            report.note(f"staff member {email} ({_group})")
        members[role] = user
    return members


def _png(title: str, seed: int) -> SimpleUploadedFile:
    """A small banner: a two-colour gradient (Pillow), different per campaign."""
    from PIL import Image, ImageDraw

    width, height = 640, 360
    start = ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 30)
    end = (255 - start[0] // 2, 255 - start[1] // 2, 255 - start[2] // 2)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(width):
        t = x / (width - 1)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        draw.line([(x, 0), (x, height)], fill=colour)
    draw.rectangle([(24, height - 90), (width - 24, height - 24)], fill=(255, 255, 255))
    draw.text((40, height - 66), title[:60], fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{seed}.png", buffer.getvalue(), content_type="image/png")


def _campaigns(
    organisers: dict[str, User], staff: dict[str, User], report: DemoReport
) -> dict[str, Campaign]:
    reviewer = staff["reviewer"]
    made: dict[str, Campaign] = {}
    today = timezone.now().date()
    for number, spec in enumerate(CAMPAIGNS, start=1):
        organiser = organisers[spec.organiser]
        found = Campaign.objects.filter(organizer=organiser, title=spec.title).first()
        if found is not None:
            made[spec.key] = found
            continue
        campaign = campaign_create(
            organizer=organiser,
            title=spec.title,
            story=STORY.format(title=spec.title),
            goal_amount=spec.goal,
            currency="NGN",
            category=spec.category,
            end_date=today + timedelta(days=30 + number * 7),
        )
        campaign_media_upload(
            user=organiser, campaign_id=campaign.pk, kind="image", file=_png(spec.title, number)
        )
        if spec.status != CampaignStatus.DRAFT:
            campaign = campaign_submit(campaign=campaign, actor=organiser)
        if spec.status == CampaignStatus.REJECTED:
            campaign = campaign_reject(
                campaign=campaign,
                actor=reviewer,
                reason="Tell donors what the money is for and how it will be spent.",
            )
        elif spec.status not in (CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW):
            campaign = campaign_approve(campaign=campaign, actor=reviewer)
        made[spec.key] = campaign
        report.note(f"campaign {campaign.slug} ({spec.status})")
    return made


def _finish_statuses(campaigns: dict[str, Campaign], staff: dict[str, User]) -> None:
    """After the donations: end, close and suspend the campaigns meant to be so."""
    for spec in CAMPAIGNS:
        campaign = Campaign.objects.get(pk=campaigns[spec.key].pk)
        if campaign.status != CampaignStatus.ACTIVE or spec.status == CampaignStatus.ACTIVE:
            continue
        if spec.status == CampaignStatus.ENDED:
            # As if its time ran out; then the scheduler's own job ends it.
            Campaign.objects.filter(pk=campaign.pk).update(
                end_date=timezone.now().date() - timedelta(days=1)
            )
            campaigns_end_expired()
        elif spec.status == CampaignStatus.CLOSED:
            campaign_close(campaign=campaign, actor=campaign.organizer)
        elif spec.status == CampaignStatus.SUSPENDED:
            campaign_suspend(
                campaign=campaign,
                actor=staff["reviewer"],
                reason="Reported by donors: the story gives no details. Under review.",
            )


def _rates(finance: User, report: DemoReport) -> None:
    enabled = set(Currency.objects.filter(enabled=True).values_list("code", flat=True))
    for quote, rate in RATES.items():
        if quote not in enabled or "USD" not in enabled:
            continue
        if ExchangeRate.objects.filter(base_id="USD", quote_id=quote).exists():
            continue
        exchange_rate_record_manual(actor=finance, base="USD", quote=quote, rate=rate)
        report.note(f"exchange rate 1 USD = {rate} {quote}")


def _donations(campaigns: dict[str, Campaign], finance: User, report: DemoReport) -> None:
    # Only the references not imported yet (the import itself would also report them as
    # already imported, but checks first that their campaign still takes donations).
    done = set(
        Donation.objects.filter(reference__in=[d[0] for d in DONATIONS]).values_list(
            "reference", flat=True
        )
    )
    todo = [d for d in DONATIONS if d[0] not in done]
    if not todo:
        return
    lines = ["reference,campaign,amount,currency,email,name,paid_at,note"]
    paid = (timezone.now() - timedelta(days=2)).date().isoformat()
    for reference, key, amount, currency, donor in todo:
        first, last = DONORS[donor]
        lines.append(
            f"{reference},{campaigns[key].slug},{amount},{currency},{_email(donor)},"
            f"{first} {last},{paid},demo"
        )
    rows = offline_rows_from_csv("\n".join(lines) + "\n")
    result = donations_import_offline(
        rows=rows, actor=finance, dry_run=False, file_name="demo-donations.csv"
    )
    if result.errors:
        problems = "; ".join(
            f"line {row.line}: {', '.join(row.errors)}" for row in result.rows if row.errors
        )
        raise RuntimeError(f"The demo donations were refused: {problems}")
    imported = result.counts.get("imported", 0)
    if imported:
        report.note(f"{imported} donations in NGN, USD, GHS, KES and ZAR", added=imported)


def _comments(campaigns: dict[str, Campaign], donors: dict[str, User], report: DemoReport) -> None:
    for key, donor, body in COMMENTS:
        campaign = campaigns[key]
        if Comment.objects.filter(campaign=campaign, author=donors[donor], body=body).exists():
            continue
        comment_create(campaign=campaign, author=donors[donor], body=body)
        report.note(f"comment on {campaign.slug}")


@contextmanager
def _sandbox_served() -> Iterator[bool]:
    """Serve this app on a loopback port while the demo runs, so that the Paystack
    sandbox (PUBLIC_BASE_URL/sandbox/paystack) and its webhooks answer. Yields whether
    payouts can run to the end here (the sandbox, with tasks run in-process)."""
    if secret_key() or settings.IS_PRODUCTION:
        yield False
        return

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server(
        "127.0.0.1", 0, WSGIHandler(), server_class=Server, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="demo-sandbox", daemon=True)
    thread.start()
    try:
        with override_settings(PUBLIC_BASE_URL=f"http://127.0.0.1:{server.server_port}"):
            yield bool(settings.CELERY_TASK_ALWAYS_EAGER)
    finally:
        server.shutdown()
        server.server_close()


def _code(user: User) -> str:
    """The current code of the user's authenticator, as their app would show it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None, f"{user.email} has no authenticator"
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(
        device.digits
    )


def _withdrawals(
    campaigns: dict[str, Campaign],
    organisers: dict[str, User],
    finance: User,
    report: DemoReport,
) -> None:
    with _sandbox_served() as runs_here:
        for (key, amount), approve in ((PAID_WITHDRAWAL, True), (WAITING_WITHDRAWAL, False)):
            campaign = Campaign.objects.get(pk=campaigns[key].pk)
            if Withdrawal.objects.filter(campaign=campaign).exists():
                continue
            organiser = organisers[next(s.organiser for s in CAMPAIGNS if s.key == key)]
            account = BankAccount.objects.filter(owner=organiser, is_active=True).first()
            if account is None:
                account = bank_account_create(
                    owner=organiser, bank_code=BANK[0], account_number=BANK[1], currency="NGN"
                )
            withdrawal = withdrawal_request(
                actor=organiser, campaign=campaign.pk, amount=amount, bank_account=account.pk
            )
            if approve:
                payouts_approve(
                    actor=finance, withdrawal_ids=[str(withdrawal.pk)], otp=_code(finance)
                )
            withdrawal.refresh_from_db()
            report.note(f"withdrawal of {campaign.slug}: {withdrawal.status}")
            if approve and not runs_here:
                report.lines.append(
                    "  (its transfer is Paystack's and the worker's to finish: not the sandbox)"
                )


def seed_demo(*, only_if_new: bool = False) -> DemoReport | None:
    """Add the demo platform (idempotent); the report lists what was added and the staff
    sign-in details of members created now (shown once). `only_if_new`: only on a
    database without a single campaign yet (`make run`), else None."""
    if only_if_new and Campaign.objects.exists():
        return None
    report = DemoReport()
    staff = _staff(report)
    organisers = {
        name: _account(name, first, last, ORGANISER_PASSWORD, report)
        for name, (first, last) in ORGANISERS.items()
    }
    donors = {
        name: _account(name, first, last, DONOR_PASSWORD, report)
        for name, (first, last) in DONORS.items()
    }
    campaigns = _campaigns(organisers, staff, report)
    _rates(staff["finance"], report)
    _donations(campaigns, staff["finance"], report)
    _comments(campaigns, donors, report)
    _withdrawals(campaigns, organisers, staff["finance"], report)
    _finish_statuses(campaigns, staff)
    return report
