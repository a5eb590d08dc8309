"""The project's Celery app and configuration, plus one task for tests/ops/test_worker_signals.py,
run by a real `celery worker` process against Redis."""

import os
import time

import redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krogiving.settings")

from krogiving.celery import app


@app.task(name="ops_test.record_and_sleep")
def record_and_sleep(key: str, seconds: float) -> None:
    """Note each start (with the pool process id) and each finish in a Redis list; sleep
    only on the first run, so that a redelivered message finishes at once."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    runs = client.rpush(key, f"started:{os.getpid()}")
    if runs == 1:
        time.sleep(seconds)
    client.rpush(key, "done")
