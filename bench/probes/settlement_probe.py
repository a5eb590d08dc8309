"""Settlement throughput probe: `charge.success` delivered -> donation credited in the ledger.

    .venv/bin/python bench/probes/settlement_probe.py                    # 1,500 on 1 campaign
    .venv/bin/python bench/probes/settlement_probe.py --campaigns 100    # spread
    .venv/bin/python bench/probes/settlement_probe.py --intake           # webhook intake ratio

Measures, prints, asserts nothing about speed (see bench/README.md, "Settlement"). It
needs PostgreSQL and Redis: the host of DATABASE_URL is used for its OWN database
(`krogiving_settle_probe`, dropped and created on every run), REDIS_URL's database for
the broker and cache (flushed: give it a database of its own, e.g. redis://.../14).

1. Migrates and seeds the probe database; creates `--campaigns` active campaigns and
   `--donations` pending donations spread over them (one donor in five gives twice).
2. Serves a fake Paystack on loopback: `GET /transaction/verify/<reference>` answers
   success with the donation's amount after `--latency` seconds (100 ms by default, like
   the real one), from a thread per request.
3. Starts the Celery worker with the Procfile's `worker:` command as it is (or
   `--worker-cmd`), against the probe database, the fake Paystack and a dummy email
   backend, and waits for it to be ready.
4. Posts every signed `charge.success` to `POST /v1/paystack/webhook` through the whole
   Django stack in this process (test client, `--posters` threads), then waits until
   every donation is succeeded. Settlement rate = donations / (last credited - first
   posted).
5. Checks: `ledger_check` passes, each donation has exactly one
   `donation:<id>:succeeded` posting, raised amounts and donor counts match the
   donations; prints the worker's resident memory (its process tree, from /proc).

`--credit-only B`: instead of the worker, the credit step alone (what holds the campaign's
row lock) on the seeded donations in this process, in batches of B, one after another:
milliseconds per donation. B=1 is one transaction per donation, as before batching.

`--intake`: instead, N signed charge.success posts against N GETs of a bare DRF view
(20 small objects) through the same middleware, one thread, in this process: the ratio
of their rates.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DB_NAME = "krogiving_settle_probe"
PROBE_SECRET = "sk_test_settlement_probe"


def _procfile_worker() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("worker:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit("Procfile has no worker: line")


def _database_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    probe = urlunsplit((parts.scheme, parts.netloc, f"/{DB_NAME}", "", ""))
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    return probe, admin


def _recreate_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (DB_NAME,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


class FakePaystack(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.amounts: dict[str, tuple[int, str]] = {}
        self.ids: dict[str, int] = {}
        self.verifies = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: FakePaystack
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        prefix = "/transaction/verify/"
        reference = self.path[len(prefix) :] if self.path.startswith(prefix) else ""
        time.sleep(self.server.latency)
        known = self.server.amounts.get(reference)
        if known is None:
            body = json.dumps({"status": False, "message": "Transaction reference not found"})
            self._send(404, body)
            return
        with self.server.lock:
            self.server.verifies += 1
        amount, currency = known
        body = json.dumps(
            {
                "status": True,
                "message": "Verification successful",
                "data": {
                    "id": self.server.ids[reference],
                    "domain": "test",
                    "status": "success",
                    "reference": reference,
                    "amount": amount,
                    "currency": currency,
                    "gateway_response": "Successful",
                    "paid_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "channel": "card",
                    "fees": 0,
                    "customer": {"email": "donor@example.com"},
                    "metadata": {},
                },
            }
        )
        self._send(200, body)

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids.extend(int(child) for child in children)
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total / 1024


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants so far."""
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total


def _seed(campaign_count: int, donation_count: int, paystack: FakePaystack) -> list[str]:
    from django.utils import timezone

    from apps.campaigns.models import Campaign, CampaignSlug, CampaignStatus
    from apps.donations.models import Donation
    from apps.users.models import User

    organizer = User.objects.create_user(
        email="organiser@example.com", password=None, first_name="Ada", last_name="Obi"
    )
    now = timezone.now()
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            organizer=organizer,
            title=f"Probe campaign {i}",
            slug=f"probe-campaign-{i}",
            goal_amount=10**12,
            currency_id="NGN",
            category_id="medical",
            status=CampaignStatus.ACTIVE,
            published_at=now,
        )
        for i in range(campaign_count)
    )
    CampaignSlug.objects.bulk_create(CampaignSlug(slug=c.slug, campaign=c) for c in campaigns)
    donations = []
    for i in range(donation_count):
        gift, fee = 500_000 + 100 * i, 7_500
        reference = f"probe-{uuid.uuid4().hex[:20]}"
        donations.append(
            Donation(
                reference=reference,
                campaign=campaigns[i % campaign_count],
                # one donor in five gives twice (to the same campaign when there is one)
                email=f"donor{i - 1 if i % 5 == 1 else i}@example.com",
                name=f"Donor {i}",
                anonymous=i % 10 == 7,
                currency_id="NGN",
                amount=gift,
                fee_amount=fee,
                charged_amount=gift,
                campaign_currency_id="NGN",
                gift_campaign=gift,
                fee_campaign=fee,
                net_campaign=gift - fee,
            )
        )
        paystack.amounts[reference] = (gift, "NGN")
        paystack.ids[reference] = 5_000_000 + i
    Donation.objects.bulk_create(donations, batch_size=2000)
    return [d.reference for d in donations]


def _charge_success(reference: str, amount: int) -> bytes:
    return json.dumps(
        {
            "event": "charge.success",
            "data": {
                "id": 5_000_000,
                "status": "success",
                "reference": reference,
                "amount": amount,
                "currency": "NGN",
                "paid_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "channel": "card",
                "customer": {"email": "donor@example.com"},
            },
        }
    ).encode()


def _post_all(bodies: list[bytes], posters: int) -> list[int]:
    from django.db import connection
    from django.test import Client

    from apps.payments.signing import sign

    statuses: list[int] = []
    lock = threading.Lock()
    chunks = [bodies[i::posters] for i in range(posters)]

    def run(chunk: list[bytes]) -> None:
        client = Client()
        mine = []
        for body in chunk:
            response = client.post(
                "/v1/paystack/webhook",
                data=body,
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=sign(body, PROBE_SECRET),
            )
            mine.append(response.status_code)
        connection.close()
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _check(references: list[str]) -> list[str]:
    from django.core.management import call_command
    from django.db.models import Count, Sum

    from apps.campaigns.models import Campaign
    from apps.donations.models import Donation
    from apps.ledger.models import LedgerTransaction

    problems = []
    try:
        call_command("ledger_check", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except SystemExit as exc:
        if exc.code:
            problems.append("ledger_check failed")
    postings = LedgerTransaction.objects.filter(reference__startswith="donation:").count()
    if postings != len(references):
        problems.append(f"{postings} donation postings for {len(references)} donations")
    for campaign in Campaign.objects.all():
        settled = Donation.objects.filter(campaign=campaign, status="succeeded")
        raised = settled.aggregate(total=Sum("gift_campaign"))["total"] or 0
        donors = settled.values("email").annotate(n=Count("id")).count()
        if (campaign.raised_amount, campaign.donor_count) != (raised, donors):
            problems.append(
                f"{campaign.slug}: raised {campaign.raised_amount} donors {campaign.donor_count}"
                f", donations say {raised} / {donors}"
            )
    return problems


def _intake(count: int) -> None:
    from django.test import Client, override_settings

    from apps.payments.signing import sign

    client = Client()
    bodies = [_charge_success(f"intake-{uuid.uuid4().hex[:16]}", 500_000) for _ in range(count)]
    with override_settings(ROOT_URLCONF="bench.probes.probe_urls"):
        for _ in range(50):  # warm up both
            client.get("/probe/bare")
        start = time.perf_counter()
        for _ in range(count):
            client.get("/probe/bare")
        bare = count / (time.perf_counter() - start)
        start = time.perf_counter()
        for body in bodies:
            response = client.post(
                "/v1/paystack/webhook",
                data=body,
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=sign(body, PROBE_SECRET),
            )
            assert response.status_code == 200, response.content
        webhook = count / (time.perf_counter() - start)
    print(f"bare DRF view: {bare:.0f}/s  webhook charge.success: {webhook:.0f}/s")
    print(f"intake ratio: {webhook / bare:.2f}")


def _credit_only(references: list[str], size: int) -> None:
    from django.utils import timezone

    from apps.donations.models import Donation
    from apps.donations.services.settlement import _Pending, _settle_batch
    from apps.payments.paystack import TransactionVerification

    donations = {d.reference: d for d in Donation.objects.filter(reference__in=references)}
    items = [
        _Pending(
            donation=donations[ref],
            verification=TransactionVerification(
                id=1,
                reference=ref,
                status="success",
                amount=donations[ref].charged_amount,
                currency="NGN",
                paid_at=timezone.now(),
                channel="card",
                gateway_response="Successful",
                fees=0,
                customer_email="",
                metadata={},
            ),
            source="webhook",
        )
        for ref in references
    ]
    started = time.perf_counter()
    for i in range(0, len(items), size):
        _settle_batch(items[i : i + size])
    elapsed = time.perf_counter() - started
    errors = [item.error for item in items if item.error]
    print(
        f"credit step, batches of {size}: {elapsed / len(items) * 1000:.2f} ms per donation "
        f"({len(items) / elapsed:.0f} donations/s on one campaign row), errors={errors[:3]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donations", type=int, default=1500)
    parser.add_argument("--campaigns", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.1, help="verify latency, seconds")
    parser.add_argument("--posters", type=int, default=4, help="threads posting webhooks")
    parser.add_argument("--worker-cmd", default=None, help="default: the Procfile's worker:")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--intake", action="store_true", help="webhook intake ratio only")
    parser.add_argument("--credit-only", type=int, default=0, metavar="B")
    parser.add_argument("--intake-count", type=int, default=2000)
    parser.add_argument(
        "--notice-interval", type=int, default=5, help="ORGANIZER_NOTICE_INTERVAL_SECONDS"
    )
    args = parser.parse_args()

    probe_url, admin_url = _database_urls()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    paystack = FakePaystack(args.latency)
    threading.Thread(target=paystack.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "krogiving.settings",
        "DATABASE_URL": probe_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "krogiving-settle-probe"),
        "PAYSTACK_SECRET_KEY": PROBE_SECRET,
        "PAYSTACK_BASE_URL": f"http://127.0.0.1:{paystack.server_address[1]}",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "JOBS_IN_PROCESS": "false",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        # The organiser's coalesced notices, due within the run (production: 300 s).
        "ORGANIZER_NOTICE_INTERVAL_SECONDS": str(args.notice_interval),
    }
    os.environ.update(env)
    _recreate_database(admin_url)
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["seed"]):
        subprocess.run(  # noqa: S603
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    import django

    django.setup()
    import redis

    redis.Redis.from_url(redis_url).flushdb()

    if args.intake:
        _intake(args.intake_count)
        return

    references = _seed(args.campaigns, args.donations, paystack)
    if args.credit_only:
        _credit_only(references, args.credit_only)
        problems = _check(references)
        print(
            "checks: "
            + ("ledger_check passes, each donation credited once" if not problems else "")
        )
        for problem in problems:
            print(f"  PROBLEM {problem}")
        return
    bodies = [_charge_success(ref, paystack.amounts[ref][0]) for ref in references]
    worker_cmd = args.worker_cmd or _procfile_worker()
    print(f"worker: {worker_cmd}")
    log = open(ROOT / "var" / "settlement_probe_worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(  # noqa: S603
        ["bash", "-c", f"exec {worker_cmd}"],  # noqa: S607
        cwd=ROOT,
        env={**env, "PATH": f"{Path(python).parent}:{env.get('PATH', '')}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _run(args, worker, references, bodies, paystack)
    finally:
        worker.send_signal(signal.SIGTERM)  # Celery's warm shutdown
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=60)
        _stop_group(worker.pid)
        log.close()
        paystack.shutdown()


def _stop_group(pgid: int) -> None:
    """Whatever the worker command left in its process group (a `--worker-cmd` starting
    two workers in the background, say): SIGTERM, then SIGKILL after 30 s."""
    for sig, grace in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.5)


def _drain_notifications(*, deadline: float) -> int:
    """Wait until no notification is queued and the broker's lists are empty; how many
    notifications are still unsent at the deadline."""
    import redis
    from django.conf import settings
    from django.core.exceptions import FieldError

    from apps.donations.models import Donation
    from apps.notifications.models import Notification

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    while True:
        unsent = Notification.objects.exclude(status="sent").count()
        with contextlib.suppress(FieldError):  # before the coalesced organiser notices
            unsent += Donation.objects.filter(organizer_notice_pending=True).count()
        queued = sum(
            int(client.llen(key)) for key in client.scan_iter() if client.type(key) == b"list"
        )
        if (unsent == 0 and queued == 0) or time.perf_counter() > deadline:
            return unsent
        time.sleep(0.2)


def _run(args, worker, references, bodies, paystack) -> None:
    from apps.donations.models import Donation

    log_path = ROOT / "var" / "settlement_probe_worker.log"
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    time.sleep(1)
    print(f"worker ready, RSS {_rss_mb(worker.pid):.0f} MB; posting {len(bodies)} webhooks")
    cpu_before = _cpu_seconds(worker.pid)
    started = time.perf_counter()
    statuses = _post_all(bodies, args.posters)
    posted = time.perf_counter() - started
    bad = [s for s in statuses if s != 200]
    print(f"posted {len(statuses)} in {posted:.1f} s ({len(statuses) / posted:.0f}/s), {bad=}")
    done = 0
    while time.perf_counter() - started < args.timeout:
        done = Donation.objects.filter(status="succeeded").count()
        if done >= len(references):
            break
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    print(
        f"settled {done}/{len(references)} over {args.campaigns} campaign(s) in "
        f"{elapsed:.1f} s: {done / elapsed:.0f} donations/s "
        f"(verify {args.latency * 1000:.0f} ms, {paystack.verifies} verify calls)"
    )
    cpu = (_cpu_seconds(worker.pid) - cpu_before) / max(done, 1) * 1000
    print(f"worker CPU until credited: {cpu:.1f} ms per donation")
    # The emails may still be on their way (their own queue, after the settlements):
    # the whole cost is counted once every receipt is sent and the broker is empty.
    unsent = _drain_notifications(deadline=time.perf_counter() + 180)
    cpu = (_cpu_seconds(worker.pid) - cpu_before) / max(done, 1) * 1000
    print(
        f"worker CPU until every email sent: {cpu:.1f} ms per donation (settlement and its "
        f"notifications; {unsent} unsent after {time.perf_counter() - started:.0f} s)"
    )
    time.sleep(1)
    print(f"worker RSS after the run: {_rss_mb(worker.pid):.0f} MB")
    problems = _check(references)
    print("checks: " + ("ledger_check passes, each donation credited once" if not problems else ""))
    for problem in problems:
        print(f"  PROBLEM {problem}")


if __name__ == "__main__":
    main()
