"""How fast is a campaign's leaderboard with 100,000 donations? (PostgreSQL)

Creates its own database (default `krogiving_bench_leaderboard` on the server of
DATABASE_URL, or postgres://postgres@127.0.0.1:5432), migrates it, fills one campaign
with N succeeded donations (and other campaigns with some noise) by bulk_create, builds
the per-donor aggregate the settlement keeps, and times:

  1. the leaderboard from the aggregate (`donation_leaderboard`: index campaign, -total),
  2. the same top 10 computed from the donations with GROUP BY (no aggregate),
  3. GET /v1/campaigns/<slug>/leaderboard (the whole endpoint, aggregate approach).

Usage:
    .venv/bin/python bench/leaderboard.py [--donations 100000] [--donors 20000]
        [--noise 50000] [--repeat 50] [--keep | --drop] [--database-url postgres://...]

Never run against a database you care about: it is dropped and created again (unless
--keep finds it filled already). Nothing here is asserted; it prints numbers.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "krogiving_bench_leaderboard"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donations", type=int, default=100_000)
    parser.add_argument("--donors", type=int, default=20_000, help="distinct named emails")
    parser.add_argument("--anonymous-share", type=float, default=0.1)
    parser.add_argument("--noise", type=int, default=50_000, help="donations to other campaigns")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="reuse a filled bench database")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/krogiving"),
        help="a PostgreSQL server; only its host, port and credentials are used",
    )
    parser.add_argument("--database-name", default=BENCH_DB)
    parser.add_argument("--drop", action="store_true", help="drop the bench database at the end")
    return parser.parse_args()


def prepare_database(server_url: str, name: str, keep: bool) -> tuple[str, bool]:
    """The bench database's URL, and whether it already existed (with --keep)."""
    import psycopg

    parsed = urlparse(server_url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/leaderboard.py needs a PostgreSQL server (postgres://...)")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}")), bool(exists)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "krogiving.settings"
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DEBUG"] = "false"  # no query log in memory
    os.environ.pop("REDIS_URL", None)  # local-memory cache: time the database, not Redis
    import django

    django.setup()


def fill(args: argparse.Namespace):
    from django.core.management import call_command
    from django.utils import timezone

    from apps.campaigns.models import Campaign, CampaignSlug
    from apps.campaigns.reference import seed_categories
    from apps.currency.reference import seed_currencies
    from apps.donations.models import Donation, DonorAggregate
    from apps.users.models import User

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    existing = Campaign.objects.filter(slug="bench-leaderboard").first()
    if existing is not None:
        print(f"reusing {Donation.objects.filter(campaign=existing).count():,} donations")
        return existing

    seed_currencies()
    seed_categories()
    organizer = User.objects.create_user(email="organizer@bench.local", password=None)
    now = timezone.now()

    def campaign(slug: str) -> Campaign:
        made = Campaign.objects.create(
            organizer=organizer,
            title=slug.replace("-", " "),
            slug=slug,
            story="bench",
            goal_amount=10**12,
            currency_id="NGN",
            category_id="medical",
            status="active",
            published_at=now,
        )
        CampaignSlug.objects.create(slug=slug, campaign=made)
        return made

    target = campaign("bench-leaderboard")
    others = [campaign(f"bench-other-{n}") for n in range(50)]
    rng = random.Random(20260524)  # noqa: S311 (test data, not secrets)
    print(f"migrated and set up in {time.monotonic() - started:.1f}s; generating donations")

    def donations_for(place: Campaign, count: int, donors: int):
        for n in range(count):
            anonymous = rng.random() < args.anonymous_share
            gift = rng.choice([10_000, 50_000, 100_000, 500_000, 1_000_000]) + rng.randrange(
                0, 5_000_000
            )
            fee = min((gift * 500 + 5000) // 10000 + 5000, 1_000_000)
            yield Donation(
                id=uuid.uuid4(),
                reference=f"bench-{place.pk.hex[:8]}-{n}",
                campaign=place,
                email=f"donor{rng.randrange(donors)}@bench.local",
                name=f"Donor {n}",
                anonymous=anonymous,
                currency_id="NGN",
                amount=gift,
                fee_amount=fee,
                charged_amount=gift,
                campaign_currency_id="NGN",
                gift_campaign=gift,
                fee_campaign=fee,
                net_campaign=gift - fee,
                status="succeeded",
                paid_at=now - timedelta(seconds=rng.randrange(90 * 86400)),
            )

    def insert(place: Campaign, count: int, donors: int) -> None:
        aggregates: dict[str, DonorAggregate] = {}
        batch: list[Donation] = []
        for donation in donations_for(place, count, donors):
            batch.append(donation)
            key = f"anonymous:{donation.id}" if donation.anonymous else f"email:{donation.email}"
            row = aggregates.get(key)
            if row is None:
                aggregates[key] = DonorAggregate(
                    campaign=place,
                    donor_key=key,
                    display_name="Anonymous" if donation.anonymous else donation.name,
                    anonymous=donation.anonymous,
                    total=donation.gift_campaign,
                    donation_count=1,
                    first_donated_at=donation.paid_at,
                    last_donated_at=donation.paid_at,
                )
            else:
                row.total += donation.gift_campaign
                row.donation_count += 1
                row.first_donated_at = min(row.first_donated_at, donation.paid_at)
                row.last_donated_at = max(row.last_donated_at, donation.paid_at)
            if len(batch) >= 5000:
                Donation.objects.bulk_create(batch)
                batch.clear()
        Donation.objects.bulk_create(batch)
        DonorAggregate.objects.bulk_create(aggregates.values(), batch_size=5000)
        Campaign.objects.filter(pk=place.pk).update(
            raised_amount=sum(a.total for a in aggregates.values()),
            donor_count=len({a.donor_key for a in aggregates.values()}),
        )

    t = time.monotonic()
    insert(target, args.donations, args.donors)
    per_other = args.noise // len(others) if args.noise else 0
    for other in others:
        if per_other:
            insert(other, per_other, max(1, args.donors // 10))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"inserted {args.donations:,} donations (+{per_other * len(others):,} noise) and their "
        f"aggregates in {time.monotonic() - t:.1f}s"
    )
    return target


def timed(label: str, repeat: int, work) -> dict:
    work()  # warm up
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        work()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "label": label,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
        "max_ms": samples[-1],
    }


def explain(queryset) -> str:
    plan = queryset.explain(analyze=True)
    lines = plan.splitlines()
    total = next((line for line in lines if "Execution Time" in line), "")
    return f"{lines[0].strip()[:110]}\n      {total.strip()}"


def main() -> None:
    args = parse_args()
    url, existed = prepare_database(args.database_url, args.database_name, args.keep)
    setup_django(url)

    from django.db.models import Case, CharField, F, Sum, Value, When
    from django.db.models.functions import Cast, Concat
    from django.test import Client

    from apps.donations.models import Donation
    from apps.donations.selectors import donation_leaderboard

    campaign = fill(args)

    def from_donations():
        key = Case(
            When(anonymous=True, then=Concat(Value("anonymous:"), Cast("id", CharField()))),
            default=Concat(Value("email:"), F("email")),
            output_field=CharField(),
        )
        return (
            Donation.objects.filter(campaign=campaign, status="succeeded")
            .annotate(donor_key=key)
            .values("donor_key")
            .annotate(total=Sum("gift_campaign"))
            .order_by("-total")[:10]
        )

    aggregate_top = donation_leaderboard(campaign=campaign, limit=10)
    grouped_top = list(from_donations())
    same = [row.total for row in aggregate_top] == [row["total"] for row in grouped_top]

    client = Client()
    url_path = f"/v1/campaigns/{campaign.slug}/leaderboard"
    assert client.get(url_path).status_code == 200

    results = [
        timed(
            "aggregate: donation_leaderboard()",
            args.repeat,
            lambda: donation_leaderboard(campaign=campaign, limit=10),
        ),
        timed(
            "no aggregate: GROUP BY donations",
            max(5, args.repeat // 5),
            lambda: list(from_donations()),
        ),
        timed(f"endpoint: GET {url_path}", args.repeat, lambda: client.get(url_path)),
    ]

    from apps.donations.models import DonorAggregate

    print()
    print(
        f"campaign {campaign.slug}: {Donation.objects.filter(campaign=campaign).count():,} "
        f"donations, {DonorAggregate.objects.filter(campaign=campaign).count():,} leaderboard rows"
        f"{' (reused database)' if existed else ''}"
    )
    print(f"top 10 identical both ways: {same}")
    print(f"{'approach':56} {'median':>10} {'p95':>10} {'max':>10}")
    for row in results:
        print(
            f"{row['label']:56} {row['median_ms']:>8.2f}ms {row['p95_ms']:>8.2f}ms "
            f"{row['max_ms']:>8.2f}ms"
        )
    print()
    print("plans (EXPLAIN ANALYZE):")
    print(
        "  aggregate:  "
        + explain(
            DonorAggregate.objects.filter(campaign=campaign, total__gt=0).order_by(
                "-total", "first_donated_at", "pk"
            )[:10]
        )
    )
    print("  group by:   " + explain(from_donations()))

    if args.drop:
        import psycopg
        from django.db import connections

        connections.close_all()
        maintenance = urlunparse(urlparse(url)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{args.database_name}" WITH (FORCE)')
        print(f"dropped {args.database_name}")


if __name__ == "__main__":
    main()
