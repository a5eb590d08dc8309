"""Seed the benchmark database at scale, fast, and exactly as settlement would have left it.

Called by bench/run.py after `migrate` (Django set up on the bench database). Reference
data comes from `manage.py seed`; users, campaigns, slugs, comments, accounts and the bank
account through the models (bulk_create); the big tables (donations, ledger transactions
and entries, leaderboard aggregates) with COPY into the same tables, one connection per
table, streamed, with `session_replication_role = replica` on those connections (no
per-row trigger or foreign-key check while loading; `ledger_check` and the harness's own
checks verify the result afterwards).

What each succeeded donation gets is what `settlement.credit_locked_donation` writes
(apps/donations/services/settlement.py), for donations charged in the campaign's currency
with the fee out of the gift and no tip:

- the donation row: status succeeded, paid_at, channel, settled_via "webhook";
- the ledger transaction `donation:<id>:succeeded` (kind donation_succeeded,
  raised_delta = gift, memo {donation_id, donation_reference}) with its entries, in the
  order the posting writes them: clearing -charged, campaign available +net, fees +fee;
- account balances (the sums), the campaign's raised_amount (sum of gifts) and
  donor_count (distinct emails);
- the leaderboard aggregate (`aggregate_add`): `email:<email>` per named donor (one name
  per email, so no `separate:` rows), `anonymous:<donation id>` per anonymous donation.

Not written: the donations' timeline rows (DonationEvent) and the receipts; no case
reads them.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

GIFTS = (100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000)
WORDS = (
    "school",
    "fees",
    "medical",
    "surgery",
    "community",
    "water",
    "borehole",
    "library",
    "flood",
    "relief",
    "church",
    "clinic",
    "scholarship",
    "orphanage",
    "farm",
    "startup",
    "wedding",
    "funeral",
    "solar",
    "football",
    "music",
    "art",
    "books",
    "laptop",
    "hospital",
    "kidney",
    "cancer",
    "heart",
    "rent",
    "shelter",
    "food",
    "market",
    "women",
    "youth",
)


@dataclass
class Scale:
    campaigns: int = 10_000
    donations: int = 1_000_000
    big: int = 100_000
    small: int = 100
    withdraw_donations: int = 1_000
    organizers: int = 2_000
    donor_pool: int = 300_000
    big_donors: int = 30_000
    anonymous_share: float = 0.1


@dataclass
class Seeded:
    big_slug: str = "bench-big"
    small_slug: str = "bench-small"
    hot_slug: str = "bench-hot"
    withdraw_slug: str = "bench-withdraw"
    withdraw_campaign_id: str = ""
    bank_account_id: str = ""
    organizer_token: str = ""
    withdrawal_amount: int = 0
    withdraw_available: int = 0
    category: str = ""
    search_word: str = "school"
    campaign_ids: list[str] = field(default_factory=list)
    first_plain: int = 4  # campaign_ids[first_plain:] are the ordinary campaigns
    amounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    pending_serial: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _uid(kind: int, n: int) -> str:
    h = f"{kind:08x}{n:024x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ts(value: datetime) -> str:
    return value.isoformat()


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _literal(value: Any) -> str:
    """A COPY text value for a column default."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return _ts(value)
    if isinstance(value, dict | list):
        return _text(json.dumps(value))
    return _text(str(value))


class Copier:
    """COPY rows into one model's table on a connection of its own. The columns not given
    take their model default (a field added later with a default still loads)."""

    def __init__(self, model: Any, columns: list[str], dsn: dict[str, Any]) -> None:
        import psycopg

        self.model = model
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise RuntimeError(f"bench seeder: {meta.db_table} has no field(s) {unknown}")
        tail_cols, tail_vals = [], []
        for f in meta.concrete_fields:
            if f.attname in columns or (
                f.primary_key and f.get_internal_type().endswith("AutoField")
            ):
                continue
            default = f.get_default()
            if default is None and not f.null:
                raise RuntimeError(
                    f"bench seeder: {meta.db_table}.{f.column} has no default; teach "
                    f"bench/seed.py to fill it"
                )
            tail_cols.append(f.column)
            tail_vals.append(_literal(default))
        self.tail = ("\t" + "\t".join(tail_vals)) if tail_vals else ""
        cols = [by_attname[c].column for c in columns] + tail_cols
        self.conn = psycopg.connect(**dsn, autocommit=True)
        self.conn.execute("SET session_replication_role = replica")
        self.cursor = self.conn.cursor()
        quoted = ", ".join(f'"{c}"' for c in cols)
        self.copy_cm = self.cursor.copy(f'COPY "{meta.db_table}" ({quoted}) FROM STDIN')
        self.copy = self.copy_cm.__enter__()
        self.buffer: list[str] = []
        self.rows = 0

    def add(self, line: str) -> None:
        self.buffer.append(line + self.tail)
        self.rows += 1
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("\n".join(self.buffer) + "\n")
            self.buffer.clear()

    def close(self) -> None:
        self.flush()
        self.copy_cm.__exit__(None, None, None)
        self.conn.close()


def _dsn() -> dict[str, Any]:
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}}


def seed(scale: Scale, log: Callable[[str], None] = print) -> Seeded:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from apps.campaigns.models import Campaign, CampaignSlug, Category, Comment
    from apps.donations.models import Donation, DonorAggregate
    from apps.donations.services.initialize import _campaign_split, donation_amounts
    from apps.ledger.models import Account, AccountKind, Entry, LedgerTransaction
    from apps.platform_settings.pricing import quote_donation
    from apps.platform_settings.selectors import get_platform_settings
    from apps.users.models import User
    from apps.users.tokens import tokens_for
    from apps.withdrawals.models import BankAccount

    out = Seeded()
    rng = random.Random(20261128)  # noqa: S311 (test data)
    t0 = time.monotonic()
    call_command("seed", verbosity=0)
    currency = "NGN"
    categories = list(Category.objects.values_list("slug", flat=True))
    out.category = categories[0]

    # What initialize writes for each gift (same currency, fee out of the gift, no tip).
    amounts: dict[int, dict[str, Any]] = {}
    for gift in GIFTS:
        quote = quote_donation(gift=gift, tip=0, cover_fee=False, currency=currency)
        split = _campaign_split(
            gift=quote.gift,
            fee=quote.fee,
            tip=0,
            cover_fee=False,
            currency=currency,
            campaign_currency=currency,
        )
        amounts[gift] = donation_amounts(
            quote=quote, split=split, currency=currency, campaign_currency=currency
        )

    # Users: organisers, and the one who withdraws (with a bank account).
    now = timezone.now()
    users = [
        User(
            id=uuid.UUID(_uid(1, n)),
            email=f"organizer{n}@bench.local",
            first_name="Org",
            last_name=str(n),
            email_verified=True,
            password="!",
        )
        for n in range(scale.organizers)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    withdrawer = users[0]
    out.organizer_token = tokens_for(withdrawer)["access"]
    commenters = users[1:201]

    # Campaign plan: the special ones first, then the rest share what is left.
    special = [
        (out.big_slug, scale.big),
        (out.small_slug, scale.small),
        (out.hot_slug, scale.small),
        (out.withdraw_slug, scale.withdraw_donations),
    ]
    rest = scale.campaigns - len(special)
    left = scale.donations - sum(n for _, n in special)
    plan = list(special)
    for n in range(rest):
        share = left // rest + (1 if n < left % rest else 0)
        plan.append((f"bench-{n}-{rng.choice(WORDS)}-{rng.choice(WORDS)}", share))
    campaign_ids = [_uid(2, n) for n in range(len(plan))]
    out.withdraw_campaign_id = campaign_ids[3]
    out.timings["reference data and users"] = time.monotonic() - t0

    # --- the big tables, streamed ------------------------------------------------------
    t1 = time.monotonic()
    dsn = _dsn()
    platform_clearing = _uid(3, 0)
    platform_fees = _uid(3, 1)
    donation_cols = [
        "id",
        "created_at",
        "updated_at",
        "reference",
        "campaign_id",
        "email",
        "name",
        "anonymous",
        "currency_id",
        "amount",
        "fee_amount",
        "tip_amount",
        "cover_fee",
        "charged_amount",
        "campaign_currency_id",
        "gift_campaign",
        "fee_campaign",
        "tip_campaign",
        "net_campaign",
        "status",
        "paystack_access_code",
        "authorization_url",
        "paystack_transaction_id",
        "channel",
        "paid_at",
        "settled_via",
        "status_changed_at",
    ]
    donations = Copier(Donation, donation_cols, dsn)
    transactions = Copier(
        LedgerTransaction,
        ["id", "kind", "reference", "campaign_id", "raised_delta", "memo", "created_at"],
        dsn,
    )
    entries = Copier(
        Entry, ["transaction_id", "account_id", "amount", "currency_id", "created_at"], dsn
    )
    aggregates = Copier(
        DonorAggregate,
        [
            "id",
            "created_at",
            "updated_at",
            "campaign_id",
            "donor_key",
            "display_name",
            "anonymous",
            "total",
            "donation_count",
            "first_donated_at",
            "last_donated_at",
        ],
        dsn,
    )

    raised: list[int] = []
    donors: list[int] = []
    available: list[int] = []
    fees_total = charged_total = 0
    serial = 0
    ninety_days = 90 * 86400
    for index, (_slug, count) in enumerate(plan):
        campaign_id = campaign_ids[index]
        pool = scale.big_donors if count >= scale.big else scale.donor_pool
        rows: dict[str, list[Any]] = {}
        emails: set[int] = set()
        raised_c = net_c = 0
        for _ in range(count):
            serial += 1
            donation_id = _uid(4, serial)
            gift = GIFTS[rng.randrange(len(GIFTS))]
            a = amounts[gift]
            who = rng.randrange(pool)
            email = f"donor{who}@bench.local"
            anonymous = rng.random() < scale.anonymous_share
            name = "" if anonymous else f"Donor {who}"
            paid = now - timedelta(seconds=rng.randrange(ninety_days))
            created = paid - timedelta(seconds=30)
            reference = f"bseed-{serial}"
            ts = _ts(paid)
            donations.add(
                f"{donation_id}\t{_ts(created)}\t{ts}\t{reference}\t{campaign_id}\t{email}\t"
                f"{name}\t{'t' if anonymous else 'f'}\t{currency}\t{a['amount']}\t"
                f"{a['fee_amount']}\t{a['tip_amount']}\tf\t{a['charged_amount']}\t{currency}\t"
                f"{a['gift_campaign']}\t{a['fee_campaign']}\t{a['tip_campaign']}\t"
                f"{a['net_campaign']}\tsucceeded\tac{serial}\t"
                f"https://checkout.paystack.com/ac{serial}\t{serial}\tcard\t{ts}\twebhook\t{ts}"
            )
            tx_id = _uid(5, serial)
            memo = _text(json.dumps({"donation_id": donation_id, "donation_reference": reference}))
            transactions.add(
                f"{tx_id}\tdonation_succeeded\tdonation:{donation_id}:succeeded\t{campaign_id}\t"
                f"{a['gift_campaign']}\t{memo}\t{ts}"
            )
            entries.add(f"{tx_id}\t{platform_clearing}\t{-a['charged_amount']}\t{currency}\t{ts}")
            entries.add(f"{tx_id}\t{_uid(6, index)}\t{a['net_campaign']}\t{currency}\t{ts}")
            if a["fee_campaign"]:
                entries.add(f"{tx_id}\t{platform_fees}\t{a['fee_campaign']}\t{currency}\t{ts}")
            if a["tip_campaign"]:
                raise RuntimeError("bench seeder: tips are not seeded")
            raised_c += a["gift_campaign"]
            net_c += a["net_campaign"]
            fees_total += a["fee_campaign"]
            charged_total += a["charged_amount"]
            emails.add(who)
            key = f"anonymous:{donation_id}" if anonymous else f"email:{email}"
            row = rows.get(key)
            if row is None:
                rows[key] = [
                    "Anonymous" if anonymous else name,
                    anonymous,
                    a["gift_campaign"],
                    1,
                    paid,
                    paid,
                ]
            else:
                row[2] += a["gift_campaign"]
                row[3] += 1
                row[4] = min(row[4], paid)
                row[5] = max(row[5], paid)
        for key, (display, anonymous, total, n, first, last) in rows.items():
            serial_a = aggregates.rows + 1
            aggregates.add(
                f"{_uid(7, serial_a)}\t{_ts(first)}\t{_ts(last)}\t{campaign_id}\t{_text(key)}\t"
                f"{_text(display)}\t{'t' if anonymous else 'f'}\t{total}\t{n}\t{_ts(first)}\t"
                f"{_ts(last)}"
            )
        raised.append(raised_c)
        donors.append(len(emails))
        available.append(net_c)
    for copier in (donations, transactions, entries, aggregates):
        copier.close()
    out.counts.update(
        donations=donations.rows,
        ledger_transactions=transactions.rows,
        ledger_entries=entries.rows,
        leaderboard_rows=aggregates.rows,
    )
    out.timings["donations, ledger, leaderboard (COPY)"] = time.monotonic() - t1

    # --- campaigns, slugs, accounts, comments, bank account ------------------------------
    t2 = time.monotonic()
    campaigns = []
    for index, (slug, _count) in enumerate(plan):
        published = now - timedelta(seconds=rng.randrange(180 * 86400))
        words = " ".join(rng.choice(WORDS) for _ in range(3))
        campaigns.append(
            Campaign(
                id=uuid.UUID(campaign_ids[index]),
                organizer=withdrawer if index == 3 else users[index % len(users)],
                title=f"Help {words} {index}",
                slug=slug,
                story=f"Our {words} appeal. " + " ".join(rng.choice(WORDS) for _ in range(40)),
                goal_amount=10**12,
                currency_id=currency,
                category_id=categories[index % len(categories)],
                status="active",
                published_at=published,
                end_date=(published + timedelta(days=rng.randrange(30, 365))).date(),
                raised_amount=raised[index],
                donor_count=donors[index],
            )
        )
    Campaign.objects.bulk_create(campaigns, batch_size=2000)
    CampaignSlug.objects.bulk_create(
        [CampaignSlug(slug=c.slug, campaign_id=c.pk) for c in campaigns], batch_size=2000
    )
    Account.objects.bulk_create(
        [
            Account(
                id=uuid.UUID(_uid(6, index)),
                campaign_id=uuid.UUID(campaign_ids[index]),
                kind=AccountKind.CAMPAIGN_AVAILABLE,
                currency_id=currency,
                balance=available[index],
            )
            for index in range(len(plan))
        ]
        + [
            Account(
                id=uuid.UUID(platform_clearing),
                kind=AccountKind.PAYSTACK_CLEARING,
                currency_id=currency,
                balance=-charged_total,
            ),
            Account(
                id=uuid.UUID(platform_fees),
                kind=AccountKind.PLATFORM_FEES,
                currency_id=currency,
                balance=fees_total,
            ),
        ],
        batch_size=2000,
    )
    Comment.objects.bulk_create(
        [
            Comment(
                campaign_id=uuid.UUID(campaign_ids[index]),
                author=commenters[n % len(commenters)],
                body=f"Praying for you! {' '.join(rng.choice(WORDS) for _ in range(12))}",
            )
            for index, many in ((0, 300), (1, 20))
            for n in range(many)
        ]
    )
    account = BankAccount.objects.create(
        owner=withdrawer,
        currency_id=currency,
        bank_code="058",
        bank_name="Guaranty Trust Bank",
        account_last4="0001",
        account_fingerprint="bench-fingerprint",
        account_name="ORG 0",
        recipient_code="RCP_bench",
    )
    out.bank_account_id = str(account.pk)
    out.withdrawal_amount = get_platform_settings().minimum_withdrawal(currency)
    out.withdraw_available = available[3]

    out.campaign_ids = campaign_ids
    out.first_plain = len(special)
    out.amounts = amounts
    out.counts["campaigns"] = len(campaigns)
    out.timings["campaigns, accounts, comments, pending"] = time.monotonic() - t2

    t3 = time.monotonic()
    with connection.cursor() as cursor:
        # VACUUM too, not only ANALYZE: a million rows COPYed in otherwise wake autovacuum
        # during the first cases, and the ceiling measured first runs beside it. (A test
        # seeding inside its transaction can only ANALYZE.)
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    out.timings["vacuum, analyze"] = time.monotonic() - t3
    log(
        f"seeded {len(campaigns):,} campaigns, {donations.rows:,} donations, "
        f"{entries.rows:,} ledger entries, {aggregates.rows:,} leaderboard rows"
    )
    return out


def make_pending(seeded: Seeded, count: int, *, hot: bool) -> list[tuple[str, int, str]]:
    """`count` pending donations, as initialize leaves them, for a webhook or settlement
    case: on the hot campaign, or spread over the ordinary campaigns. Their references
    carry the charged amount (`bwh-<n>-a<amount>NGN`), which the fake's verify confirms.
    [(reference, charged amount, currency)]"""
    from django.utils import timezone

    from apps.donations.models import Donation

    rng = random.Random(seeded.pending_serial)  # noqa: S311 (test data)
    now = timezone.now()
    rows, refs = [], []
    ids = seeded.campaign_ids
    hot_id = ids[2]
    for _ in range(count):
        seeded.pending_serial += 1
        serial = seeded.pending_serial
        a = seeded.amounts[GIFTS[rng.randrange(len(GIFTS))]]
        campaign_id = hot_id if hot else ids[rng.randrange(seeded.first_plain, len(ids))]
        who = rng.randrange(300_000)
        reference = f"bwh-{serial}-a{a['charged_amount']}{a['currency_id']}"
        rows.append(
            Donation(
                id=uuid.UUID(_uid(8, serial)),
                reference=reference,
                campaign_id=uuid.UUID(campaign_id),
                email=f"donor{who}@bench.local",
                name=f"Donor {who}",
                status="pending",
                paystack_access_code=f"acp{serial}",
                authorization_url=f"https://checkout.paystack.com/acp{serial}",
                status_changed_at=now,
                **a,
            )
        )
        refs.append((reference, a["charged_amount"], a["currency_id"]))
    Donation.objects.bulk_create(rows, batch_size=5000)
    return refs
