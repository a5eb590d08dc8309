"""Concurrent writers append to one linear chain (real threads, real PostgreSQL)."""

import itertools
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from apps.audit.chain import GENESIS_HASH
from apps.audit.models import AdminLog, AuditChainHead
from apps.audit.services import audit_log
from tests.audit.conftest import requires_postgresql
from tests.concurrency import run_in_threads

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

WRITERS = 8
ENTRIES_EACH = 6


def test_concurrent_writers_produce_one_linear_chain():
    def writer(number: int) -> None:
        for index in range(ENTRIES_EACH):
            with transaction.atomic():
                audit_log(
                    actor=None,
                    action="payout.approve",
                    target_type="withdrawal",
                    target_id=f"{number}-{index}",
                    after={"writer": number, "index": index},
                )
                # other work of the audited service, done while holding the head
                time.sleep(0.001)

    _, errors = run_in_threads(WRITERS, writer)
    assert not errors, errors

    total = WRITERS * ENTRIES_EACH
    entries = list(AdminLog.objects.order_by("sequence"))
    assert [entry.sequence for entry in entries] == list(range(1, total + 1))
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    assert sorted(entry.target_id for entry in entries) == sorted(
        f"{n}-{i}" for n in range(WRITERS) for i in range(ENTRIES_EACH)
    )
    # the writers really interleaved
    assert len({entry.after["writer"] for entry in entries[:ENTRIES_EACH]}) > 1
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (total, entries[-1].hash)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"audit chain OK: {total} entries" in out.getvalue()


def test_a_second_writer_waits_for_the_first_to_commit():
    """The head stays locked until the caller's transaction ends (the price of a linear
    chain: audited writes commit one at a time)."""
    first_written = threading.Event()
    release_first = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []
    audit_log(actor=None, action="a.earlier", target_type="t", target_id="0")

    def first() -> None:
        try:
            with transaction.atomic():
                entry = audit_log(actor=None, action="a.first", target_type="t", target_id="1")
                results["first"] = entry.sequence
                first_written.set()
                release_first.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            first_written.set()
            connection.close()

    def second() -> None:
        try:
            with transaction.atomic():
                entry = audit_log(actor=None, action="a.second", target_type="t", target_id="2")
                results["second"] = entry.sequence
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_written.wait(timeout=30)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=0.5)
    assert two.is_alive(), "the second writer did not wait for the first to commit"
    assert "second" not in results
    release_first.set()
    one.join(timeout=30)
    two.join(timeout=30)
    assert not errors, errors
    assert results == {"first": 2, "second": 3}
    assert AdminLog.objects.get(sequence=3).prev_hash == AdminLog.objects.get(sequence=2).hash
