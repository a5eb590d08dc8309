"""The embedded default (`make run` on SQLite): no triggers and no SELECT ... FOR UPDATE,
so appends serialise on SQLite's write lock. Runs manage.py on a fresh SQLite file."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings

WRITERS_SCRIPT = """
import datetime as dt
import threading
from decimal import Decimal

from django.db import connection, transaction

from apps.audit.services import audit_log

errors = []
barrier = threading.Barrier(4)


def writer(number):
    try:
        barrier.wait(timeout=30)
        for index in range(5):
            with transaction.atomic():
                audit_log(
                    actor=None,
                    action="campaign.end",
                    target_type="campaign",
                    target_id=f"{number}-{index}",
                    after={"big": 1e20, "fee": Decimal("1.50"), "at": dt.datetime.now(dt.UTC)},
                    ip_address="2001:DB8::0:1",
                )
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()


threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("errors:", errors)
"""


def test_writers_serialise_and_verify_on_sqlite(tmp_path):
    database = tmp_path / "embedded.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL"}
    }
    env.update(DJANGO_ENV="development", DATABASE_URL=f"sqlite:///{database}")

    def manage(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    migrated = manage("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    written = manage("shell", stdin=WRITERS_SCRIPT)
    assert "errors: []" in written.stdout, written.stdout + written.stderr
    intact = manage("audit_verify")
    assert intact.returncode == 0, intact.stderr
    assert "audit chain OK: 20 entries" in intact.stdout

    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE audit_adminlog SET target_id = 'edited' WHERE sequence = 7")
    tampered = manage("audit_verify")
    assert tampered.returncode != 0
    assert "entry sequence 7" in tampered.stderr
