"""The benchmark harness's own parts (bench/): the seeder leaves the database as
settlement would, the fake Paystack answers our client like Paystack, results accumulate.
Nothing here is timed; `make bench` measures."""

import argparse
import asyncio
import socket
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from apps.donations.models import Donation, DonorAggregate
from apps.donations.services.settlement import donation_settle_charge
from apps.ledger.models import Entry
from apps.ledger.selectors import ledger_verify
from apps.payments.paystack import (
    PaystackNotFound,
    TransactionVerification,
    get_paystack_client,
)
from bench import run
from bench.fake_paystack import serve
from bench.seed import Scale, make_pending, seed

TINY = Scale(
    campaigns=8,
    donations=400,
    big=100,
    small=10,
    withdraw_donations=20,
    organizers=20,
    donor_pool=40,
    big_donors=25,
)


def _disagreeing_campaigns() -> int:
    """Campaigns whose raised amount, donor count or leaderboard rows disagree with their
    succeeded donations (the harness's own check, bench/run.py)."""
    with connection.cursor() as cursor:
        cursor.execute(run.DISAGREEING_CAMPAIGNS_SQL)
        return cursor.fetchone()[0]


def _posting_shape(donation: Donation) -> list[tuple[str, int]]:
    entries = Entry.objects.filter(
        transaction__reference=f"donation:{donation.pk}:succeeded"
    ).select_related("account")
    return sorted((entry.account.kind, entry.amount) for entry in entries)


@pytest.mark.django_db(transaction=True)
def test_the_seeded_database_is_what_settlement_would_have_written():
    seeded = seed(TINY, log=lambda _message: None)

    assert seeded.counts["donations"] == 400
    assert Donation.objects.filter(status="succeeded").count() == 400
    report = ledger_verify()
    assert report.ok, report.problems
    assert _disagreeing_campaigns() == 0

    # A pending donation settled by the real settlement path posts the same entries as
    # a seeded donation of the same gift, and everything still agrees afterwards.
    [(reference, amount, currency)] = make_pending(seeded, 1, hot=False)
    pending = Donation.objects.get(reference=reference)
    outcome = donation_settle_charge(
        donation=pending,
        verification=TransactionVerification(
            id=1,
            reference=reference,
            status="success",
            amount=amount,
            currency=currency,
            paid_at=datetime.now(UTC),
            channel="card",
            gateway_response="Successful",
            fees=None,
            customer_email=pending.email,
        ),
        source="webhook",
    )
    assert outcome == "applied"
    seeded_twin = (
        Donation.objects.filter(status="succeeded", amount=pending.amount)
        .exclude(pk=pending.pk)
        .first()
    )
    assert _posting_shape(pending) == _posting_shape(seeded_twin)
    assert ledger_verify().ok
    assert _disagreeing_campaigns() == 0
    # Named donors keep one leaderboard row per email (no `separate:` rows).
    assert not DonorAggregate.objects.filter(donor_key__startswith="separate:").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_paystack(settings):
    port = _free_port()
    loop = asyncio.new_event_loop()
    server = loop.create_task(serve("127.0.0.1", port, 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            threading.Event().wait(0.05)
    settings.PAYSTACK_SECRET_KEY = "sk_test_bench"
    settings.PAYSTACK_BASE_URL = f"http://127.0.0.1:{port}"
    settings.PAYSTACK_RETRY_BACKOFF_SECONDS = 0
    yield

    async def shutdown() -> None:
        running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for pending in running:
            pending.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=5)
    assert server.done()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


@pytest.mark.django_db
def test_the_fake_paystack_answers_our_client_like_paystack(fake_paystack):
    client = get_paystack_client()

    started = client.initialize_transaction(
        email="donor@example.com", amount=510_000, currency="NGN", reference="bench-ref-1"
    )
    assert started.reference == "bench-ref-1"
    assert started.authorization_url.startswith("https://")
    verified = client.verify_transaction("bench-ref-1")
    assert (verified.succeeded, verified.amount, verified.currency) == (True, 510_000, "NGN")

    # A reference the harness made carries its amount; the fake confirms it.
    made = client.verify_transaction("bwh-7-a250000NGN")
    assert (made.succeeded, made.amount, made.currency) == (True, 250_000, "NGN")
    with pytest.raises(PaystackNotFound):
        client.verify_transaction("nobody-made-this")

    resolved = client.resolve_account(account_number="0001234567", bank_code="058")
    assert resolved.account_name
    recipient = client.create_transfer_recipient(
        name="Jane", account_number="0001234567", bank_code="058", currency="NGN"
    )
    assert recipient.recipient_code.startswith("RCP_")


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:18080/bench/bare
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
  12034 requests in 10.00s, 9.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   1203.40
Transfer/sec:      0.91MB
STATUSES {"200": 12000, "502": 34}
PERCENTILES 8100.000000 15000.000000 42300.000000
"""


def test_a_wrk_run_reads_as_rps_latency_and_errors():
    result = run.parse_wrk(WRK_OUTPUT, 16)
    assert result.rps == pytest.approx(1203.4)
    assert (result.p50, result.p99) == (pytest.approx(8.1), pytest.approx(42.3))
    assert result.requests == 12034
    assert result.errors == 34 + 3  # non-2xx answers and socket errors


def test_results_keep_the_earlier_runs_below_the_new_one(tmp_path):
    path = tmp_path / "results.md"
    args = argparse.Namespace(
        results=str(path),
        threads=2,
        connections=16,
        duration=10,
        warmup=2,
        note="",
        gunicorn_max_requests="0",
    )

    def report(rps: float) -> dict:
        bare = run.Result(name="bare", rps=rps, p50=5, p99=9, connections=16)
        return {"results": [bare], "checks": {"ledger_check": (True, "ok")}, "notes": []}

    run.write_results(args, report(1111.0), {"total": 1})
    run.write_results(args, report(2222.0), {"total": 1})

    text = path.read_text()
    assert text.count("# Benchmark results") == 1
    assert text.count("\n## ") == 2
    assert text.index("2222.0") < text.index("1111.0")  # newest first, the old one kept
