"""Scheduled jobs: the schedule installs and every task exists, the overlap lock, the
last-run record, the in-process scheduler of `make run`, and the staff status endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from rest_framework.test import APIClient

from apps.core import jobs
from apps.core.jobs import SKIPPED, job_lock, job_lock_held, run_job
from apps.core.models import JobRun
from apps.core.schedule import SCHEDULE
from apps.core.scheduler import InProcessScheduler, should_start
from apps.users.tokens import tokens_for
from krogiving.celery import app
from tests.concurrency import run_in_threads
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# --- the schedule -----------------------------------------------------------------------


def test_every_scheduled_task_is_registered_with_celery():
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    missing = {task for task, _ in SCHEDULE.values() if task not in app.tasks}
    assert missing == set()


def test_every_scheduled_task_is_a_locked_job_with_late_ack_and_a_time_limit():
    app.loader.import_default_modules()
    for task_name, _ in SCHEDULE.values():
        task = app.tasks[task_name]
        assert task.acks_late, task_name
        assert task.time_limit and task.soft_time_limit < task.time_limit, task_name


def test_install_schedule_is_safe_to_rerun_and_removes_what_is_no_longer_declared():
    call_command("install_schedule", stdout=None)
    gone = PeriodicTask.objects.create(
        name="an old job",
        task="apps.gone.tasks.old",
        crontab=CrontabSchedule.objects.create(minute="59", hour="23"),
    )
    beat_own = PeriodicTask.objects.create(
        name="celery.backend_cleanup",
        task="celery.backend_cleanup",
        crontab=CrontabSchedule.objects.get(minute="37", hour="4"),
    )
    paused = PeriodicTask.objects.get(name="nightly ledger check")
    paused.enabled = False
    paused.save()

    call_command("install_schedule", stdout=None)
    call_command("install_schedule", stdout=None)

    installed = {t.name: t.task for t in PeriodicTask.objects.exclude(pk=beat_own.pk)}
    assert installed == {name: task for name, (task, _) in SCHEDULE.items()}
    assert not PeriodicTask.objects.filter(pk=gone.pk).exists()
    assert not CrontabSchedule.objects.filter(minute="59", hour="23").exists()
    assert PeriodicTask.objects.get(name="nightly ledger check").enabled is False
    resend = PeriodicTask.objects.get(name="re-send notifications a lost task left unsent")
    assert (resend.crontab.minute, resend.crontab.hour) == ("*/5", "*")


# --- the lock and the record ------------------------------------------------------------


def test_the_lock_is_released_only_by_its_owner():
    with job_lock("test.owner", timeout=60) as held:
        assert held
        # The lock expired and another run took it: ours must not free theirs.
        cache.set(f"{jobs.LOCK_PREFIX}test.owner", "someone-else", timeout=60)
    assert cache.get(f"{jobs.LOCK_PREFIX}test.owner") == "someone-else"
    cache.delete(f"{jobs.LOCK_PREFIX}test.owner")

    with job_lock("test.owner", timeout=60) as held:
        assert held
        with job_lock("test.owner", timeout=60) as second:
            assert not second
        assert job_lock_held("test.owner")  # the skipped run freed nothing
    assert not job_lock_held("test.owner")


def test_a_lock_left_by_a_killed_run_expires():
    assert cache.add(f"{jobs.LOCK_PREFIX}test.killed", "dead-worker", timeout=1)
    with job_lock("test.killed", timeout=60) as held:
        assert not held
    cache.delete(f"{jobs.LOCK_PREFIX}test.killed")  # what the timeout does
    with job_lock("test.killed", timeout=60) as held:
        assert held


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_one_runs_one_skips():
    inside = threading.Event()
    release = threading.Event()
    ran = []

    def work() -> str:
        ran.append(1)
        inside.set()
        assert release.wait(30)
        return "done"

    def attempt(index: int):
        if index == 1:  # the second run starts while the first holds the lock
            assert inside.wait(30)
            outcome = run_job("test.overlap", work, lock_timeout=60)
            release.set()
            return outcome
        return run_job("test.overlap", work, lock_timeout=60)

    results, errors = run_in_threads(2, attempt)

    assert errors == []
    assert sorted(map(str, results)) == sorted(["done", str(SKIPPED)])
    assert ran == [1]
    run = JobRun.objects.get(name="test.overlap")
    assert (run.successes, run.failures, run.last_result) == (1, 0, "done")
    assert not job_lock_held("test.overlap")


def test_a_real_task_skips_while_another_run_holds_its_lock():
    from apps.donations.tasks import purge_idempotency_keys

    with job_lock("donations.purge_idempotency_keys", timeout=60):
        assert purge_idempotency_keys.delay().get() == SKIPPED
    assert not JobRun.objects.filter(name="donations.purge_idempotency_keys").exists()
    assert purge_idempotency_keys.delay().get() == 0
    assert JobRun.objects.get(name="donations.purge_idempotency_keys").successes == 1


def test_success_and_failure_are_recorded_and_the_lock_is_freed():
    assert run_job("test.record", lambda: {"settled": 2}, lock_timeout=60) == {"settled": 2}
    run = JobRun.objects.get(name="test.record")
    assert run.last_success_at is not None and run.last_result == {"settled": 2}

    def broken():
        raise RuntimeError("paystack is down")

    with pytest.raises(RuntimeError):
        run_job("test.record", broken, lock_timeout=60)
    run.refresh_from_db()
    assert (run.successes, run.failures) == (1, 1)
    assert run.last_error == "RuntimeError: paystack is down"
    assert not job_lock_held("test.record")


# --- make run: the in-process scheduler -------------------------------------------------


def test_the_scheduler_starts_only_under_runserver_with_eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    serve = ["manage.py", "runserver", "127.0.0.1:8000"]
    assert should_start(serve, {"RUN_MAIN": "true"})
    assert should_start([*serve, "--noreload"], {})
    assert not should_start(serve, {})  # the autoreloader's watcher process
    assert not should_start(["manage.py", "migrate"], {"RUN_MAIN": "true"})
    assert not should_start(["/venv/bin/pytest", "tests"], {})
    settings.JOBS_IN_PROCESS = False
    assert not should_start(serve, {"RUN_MAIN": "true"})
    settings.JOBS_IN_PROCESS = True
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a real beat and worker do it
    assert not should_start(serve, {"RUN_MAIN": "true"})


def test_the_scheduler_runs_a_job_when_its_crontab_is_due():
    scheduler = InProcessScheduler(
        {
            "purge keys": ("donations.purge_idempotency_keys", {"minute": "*"}),
            "nightly": ("ledger.check", {"minute": "13", "hour": "2"}),
        }
    )
    assert scheduler.tick() == {}  # nothing runs at start-up
    a_minute_ago = timezone.now() - timedelta(minutes=1, seconds=1)
    scheduler.last_run_at["purge keys"] = a_minute_ago
    assert scheduler.due() == ["purge keys"]
    assert scheduler.tick() == {"purge keys": 0}
    assert scheduler.due() == []
    assert JobRun.objects.get(name="donations.purge_idempotency_keys").successes == 1

    # Paused by staff in the console: skipped.
    call_command("install_schedule", stdout=None)
    PeriodicTask.objects.filter(name="purge keys").delete()
    PeriodicTask.objects.create(
        name="purge keys",
        task="donations.purge_idempotency_keys",
        enabled=False,
        crontab=CrontabSchedule.objects.first(),
    )
    scheduler.last_run_at["purge keys"] = a_minute_ago
    assert scheduler.tick() == {}


def test_the_scheduler_runs_under_the_same_lock():
    scheduler = InProcessScheduler(
        {"purge keys": ("donations.purge_idempotency_keys", {"minute": "*"})}
    )
    scheduler.last_run_at["purge keys"] = timezone.now() - timedelta(minutes=2)
    with job_lock("donations.purge_idempotency_keys", timeout=60):
        assert scheduler.tick() == {"purge keys": SKIPPED}


# --- the staff status endpoint ----------------------------------------------------------


def _staff(*codenames: str, second_factor: bool = True) -> APIClient:
    member = StaffFactory()
    for codename in codenames:
        app_label, _, name = codename.partition(".")
        member.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=name)
        )
    client = APIClient()
    token = tokens_for(member, second_factor=second_factor)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_status_shows_each_jobs_last_success_and_age():
    now = timezone.now()
    JobRun.objects.create(
        name="payouts.reconcile", last_success_at=now - timedelta(minutes=3), successes=5
    )
    JobRun.objects.create(
        name="donations.reconcile_pending",
        last_success_at=now - timedelta(hours=5),
        last_failure_at=now - timedelta(minutes=9),
        last_error="PaystackUnavailable: timeout",
    )

    response = _staff("core.view_jobrun").get("/v1/admin/status")

    assert response.status_code == 200, response.content
    body = response.json()
    by_task = {job["task"]: job for job in body["jobs"]}
    assert set(by_task) == {task for task, _ in SCHEDULE.values()}
    payouts = by_task["payouts.reconcile"]
    assert 170 <= payouts["last_success_age_seconds"] <= 200
    assert payouts["overdue"] is False and payouts["enabled"] is True
    donations = by_task["donations.reconcile_pending"]
    assert donations["overdue"] is True
    assert donations["last_error"] == "PaystackUnavailable: timeout"
    assert by_task["ledger.check"]["last_success_at"] is None
    assert by_task["ledger.check"]["overdue"] is None
    assert "reconcile pending donations" in body["overdue"]
    assert "nightly ledger check" in body["never_succeeded"]


def test_a_nightly_job_is_not_overdue_within_its_day():
    from apps.core.jobs import job_statuses

    success = datetime(2026, 3, 1, 2, 14, tzinfo=UTC)
    JobRun.objects.create(name="ledger.check", last_success_at=success)
    later_that_day = job_statuses(now=success + timedelta(hours=20))
    assert {j["task"]: j["overdue"] for j in later_that_day}["ledger.check"] is False
    two_days_on = job_statuses(now=success + timedelta(hours=48))
    assert {j["task"]: j["overdue"] for j in two_days_on}["ledger.check"] is True


@pytest.mark.parametrize(
    ("client", "status"),
    [
        (lambda: APIClient(), 401),
        (lambda: _staff(), 403),  # no permission
        (lambda: _staff("core.view_jobrun", second_factor=False), 403),
    ],
)
def test_status_is_for_staff_with_the_permission_and_a_second_factor(client, status):
    assert client().get("/v1/admin/status").status_code == status


def test_healthz_stays_minimal(client):
    body = client.get("/healthz").json()
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_the_scheduler_finds_tasks_runserver_never_imported():
    """In a fresh process (as runserver is) no tasks module has been imported yet."""
    script = (
        "import django; django.setup()\n"
        "from krogiving.celery import app\n"
        "from apps.core.schedule import SCHEDULE\n"
        "from apps.core.scheduler import scheduled_task\n"
        "assert 'payouts.reconcile' not in app.tasks\n"
        "print(sorted(scheduled_task(t).name for t, _ in SCHEDULE.values()))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "krogiving.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(sorted(task for task, _ in SCHEDULE.values()))
