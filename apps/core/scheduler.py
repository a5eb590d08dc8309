"""The beat schedule run inside `runserver` on the embedded default (`make run`).

With `CELERY_TASK_ALWAYS_EAGER` there is no broker, worker or beat: without this, no
reconciler would ever run on a laptop. `start_in_process_scheduler()` (called from
CoreConfig.ready()) starts one daemon thread, only when

- tasks are eager, `JOBS_IN_PROCESS` is on (the default), and
- the process is the one serving `runserver` (the autoreloader's child, or
  `--noreload`): never under tests or another management command.

Every 20 seconds the thread checks each entry of apps/core/schedule.py against its
crontab (Celery's `crontab.is_due`) and runs the task that is due in the thread, through
the task itself (`task.apply()`), so the job's overlap lock, its time-limit-free eager
run and its JobRun record are the same as on a worker. An entry that staff paused in
the console (django-celery-beat's PeriodicTask, when installed) is skipped. A job that
raises is logged; the thread carries on.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import datetime
from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.db import connections
from django.utils import timezone

from .schedule import SCHEDULE

logger = logging.getLogger(__name__)

TICK_SECONDS = 20
_started = threading.Event()


def crontab_for(fields: dict[str, str], *, now: datetime | None = None) -> crontab:
    """The entry's Celery crontab (in UTC); `now`: a fixed clock for it."""
    from krogiving.celery import app

    return crontab(
        nowfun=(lambda: now) if now is not None else None,
        minute=fields.get("minute", "*"),
        hour=fields.get("hour", "*"),
        day_of_week=fields.get("day_of_week", "*"),
        day_of_month=fields.get("day_of_month", "*"),
        month_of_year=fields.get("month_of_year", "*"),
        app=app,
    )


def paused_entries() -> set[str]:
    """Names of schedule entries staff disabled in the console."""
    try:
        from django_celery_beat.models import PeriodicTask

        return set(PeriodicTask.objects.filter(enabled=False).values_list("name", flat=True))
    except Exception:  # tables not migrated yet: nothing is paused
        return set()


def scheduled_task(task_name: str) -> Any:
    """The registered Celery task. Autodiscovery is lazy: a worker imports every app's
    tasks module when it starts, runserver never does, so do it here."""
    from krogiving.celery import app

    if task_name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[task_name]


class InProcessScheduler:
    """Runs SCHEDULE's tasks on their crontabs; `tick()` does one round (tests call it)."""

    def __init__(self, schedule: dict[str, tuple[str, dict[str, str]]] | None = None) -> None:
        self.schedule = SCHEDULE if schedule is None else schedule
        started = timezone.now()
        self.crontabs = {name: crontab_for(fields) for name, (_, fields) in self.schedule.items()}
        # Nothing runs at start-up: each entry waits for its next time, as beat does.
        self.last_run_at: dict[str, datetime] = dict.fromkeys(self.schedule, started)

    def due(self) -> list[str]:
        return [
            name
            for name, cron in self.crontabs.items()
            if cron.is_due(self.last_run_at[name]).is_due
        ]

    def tick(self) -> dict[str, Any]:
        """Run every entry due now (in schedule order); their results by entry name."""
        results: dict[str, Any] = {}
        due = self.due()
        if not due:
            return results
        paused = paused_entries()
        for name in due:
            self.last_run_at[name] = timezone.now()
            if name in paused:
                continue
            task_name = self.schedule[name][0]
            try:
                outcome = scheduled_task(task_name).apply()
                results[name] = outcome.result
                if outcome.failed():
                    logger.error(
                        "in-process job failed",
                        extra={"job": task_name, "error": repr(outcome.result)},
                    )
            except Exception:
                logger.exception("in-process job failed", extra={"job": task_name})
        return results

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("in-process scheduler started", extra={"jobs": len(self.schedule)})
        while not stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except Exception:  # never let the thread die
                logger.exception("in-process scheduler tick failed")
            finally:
                connections.close_all()  # this thread's own connections


def should_start(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> bool:
    argv = sys.argv if argv is None else argv
    environ = dict(os.environ) if environ is None else environ
    if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.JOBS_IN_PROCESS):
        return False
    if len(argv) < 2 or argv[1] != "runserver" or "pytest" in argv[0]:
        return False
    # The autoreloader's parent only watches files; its child (RUN_MAIN) serves.
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start_in_process_scheduler() -> threading.Thread | None:
    if not should_start() or _started.is_set():
        return None
    _started.set()
    stop = threading.Event()
    thread = threading.Thread(
        target=InProcessScheduler().run_forever,
        args=(stop,),
        name="krogiving-scheduler",
        daemon=True,
    )
    thread.start()
    return thread
