"""Scheduled jobs: one run at a time, each run's outcome recorded.

`scheduled_job(name, time_limit=...)` turns a function into a Celery task for the beat
schedule (apps/core/schedule.py) with

- late acknowledgement (a worker killed mid-run hands the message back) and a hard
  time limit, with a soft one a little earlier;
- an overlap lock: a cache key taken with `cache.add(key, token, timeout)` before the
  work and deleted in `finally` only by its owner (compare-and-delete, atomic on Redis).
  A second run that finds the key held skips, returning `{"skipped": "locked"}`. The
  lock's timeout is the time limit plus a margin, so a worker killed by the hard limit
  (no `finally`) frees it anyway. On the embedded default (local-memory cache) the lock
  works within the process, which is where `make run` runs its jobs;
- a `JobRun` row per job: last start, last success (with duration and result), last
  failure (with the error).

Every job's function must be idempotent: a run cut short is simply run again.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from celery import shared_task
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)

F_ = TypeVar("F_", bound=Callable[..., Any])

LOCK_PREFIX = "job-lock:"
LOCK_MARGIN_SECONDS = 60
SKIPPED = {"skipped": "locked"}
_ERROR_MAX = 2000
# Compare-and-delete: only the token that took the lock may release it.
_RELEASE_LUA = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# Local-memory cache: get-then-delete made atomic within the process.
_LOCAL_RELEASE = threading.Lock()


def _release(key: str, token: str) -> bool:
    client: Any = getattr(cache, "client", None)
    if hasattr(client, "get_client") and hasattr(client, "encode"):  # django-redis
        redis = client.get_client(write=True)
        stored = client.encode(token)  # the value as django-redis wrote it (serialised)
        return bool(redis.eval(_RELEASE_LUA, 1, cache.make_and_validate_key(key), stored))
    with _LOCAL_RELEASE:
        if cache.get(key) == token:
            cache.delete(key)
            return True
    return False


@contextmanager
def job_lock(name: str, *, timeout: int) -> Iterator[bool]:
    """Hold the lock named `name` for the block; yields False (and holds nothing) when
    another run holds it. Released on the way out only if still ours."""
    key = f"{LOCK_PREFIX}{name}"
    token = uuid.uuid4().hex
    taken = bool(cache.add(key, token, timeout=timeout))
    try:
        yield taken
    finally:
        if taken and not _release(key, token):
            logger.warning("job lock expired before the run ended", extra={"job": name})


def job_lock_held(name: str) -> bool:
    return cache.get(f"{LOCK_PREFIX}{name}") is not None


def _summary(result: Any) -> Any:
    """What JobRun keeps of a result: JSON-friendly and small."""
    if result is None or isinstance(result, bool | int | float | str):
        return result
    if isinstance(result, dict):
        return {
            str(k): v if isinstance(v, int | float | str | bool) else str(v)
            for k, v in result.items()
        }
    return str(result)[:500]


def _record_start(name: str) -> None:
    JobRun.objects.update_or_create(name=name, defaults={"last_started_at": timezone.now()})


def _record_success(name: str, started: float, result: Any) -> None:
    JobRun.objects.filter(name=name).update(
        last_success_at=timezone.now(),
        last_duration_ms=int((time.monotonic() - started) * 1000),
        last_result=_summary(result),
        successes=F("successes") + 1,
    )


def _record_failure(name: str, exc: BaseException) -> None:
    JobRun.objects.filter(name=name).update(
        last_failure_at=timezone.now(),
        last_error=f"{type(exc).__name__}: {exc}"[:_ERROR_MAX],
        failures=F("failures") + 1,
    )


def run_job(
    name: str, func: Callable[..., Any], *args: Any, lock_timeout: int, **kwargs: Any
) -> Any:
    """Run `func` under the job's lock, recording the outcome; SKIPPED if the lock is held."""
    with job_lock(name, timeout=lock_timeout) as held:
        if not held:
            logger.info("job skipped: another run holds its lock", extra={"job": name})
            return dict(SKIPPED)
        _record_start(name)
        started = time.monotonic()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            _record_failure(name, exc)
            raise
        _record_success(name, started, result)
        return result


def scheduled_job(name: str, *, time_limit: int = 300) -> Callable[[F_], Any]:
    """Make `func` the Celery task `name`: late ack, time limits, overlap lock, JobRun."""

    def decorator(func: F_) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            return run_job(
                name, func, *args, lock_timeout=time_limit + LOCK_MARGIN_SECONDS, **kwargs
            )

        return shared_task(
            name=name,
            acks_late=True,
            reject_on_worker_lost=True,
            time_limit=time_limit,
            soft_time_limit=max(1, time_limit - max(5, time_limit // 10)),
        )(run)

    return decorator


# --- status (staff endpoint) ------------------------------------------------------------

# A job is overdue when its last success is older than its next scheduled time after that
# success plus this grace (a run takes a while; beat may be a minute late).
OVERDUE_GRACE_SECONDS = 15 * 60


def job_statuses(*, now: Any = None) -> list[dict[str, Any]]:
    """Each scheduled job: its entry, last success and its age, last failure, overdue."""
    from .schedule import SCHEDULE
    from .scheduler import crontab_for, paused_entries

    now = now or timezone.now()
    runs = {
        run.name: run for run in JobRun.objects.filter(name__in=[t for t, _ in SCHEDULE.values()])
    }
    paused = paused_entries()
    statuses = []
    for entry, (task, fields) in SCHEDULE.items():
        run = runs.get(task)
        success = run.last_success_at if run else None
        age = (now - success).total_seconds() if success else None
        overdue = None
        if success is not None:
            # The next run after that success was due `interval` later.
            interval = crontab_for(fields, now=success).remaining_estimate(success)
            overdue = age > max(interval.total_seconds(), 0) + OVERDUE_GRACE_SECONDS
        statuses.append(
            {
                "name": entry,
                "task": task,
                "crontab": " ".join(
                    fields.get(part, "*")
                    for part in ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
                ),
                "enabled": entry not in paused,
                "running": job_lock_held(task),
                "last_success_at": success,
                "last_success_age_seconds": None if age is None else int(age),
                "last_duration_ms": run.last_duration_ms if run else None,
                "last_result": run.last_result if run else None,
                "last_failure_at": run.last_failure_at if run else None,
                "last_error": run.last_error if run else "",
                "overdue": overdue,
            }
        )
    return statuses
