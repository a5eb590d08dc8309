"""Real threads against the real database, for race tests.

Use with `@pytest.mark.django_db(transaction=True)` (each thread opens its own
connection, which sees only committed rows) or, for work that only needs to contend on
rows committed before the threads start, with any test that commits them first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

BARRIER_TIMEOUT_SECONDS = 30
JOIN_TIMEOUT_SECONDS = 120


def run_in_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run work(i) for i in range(count) in `count` real threads released together.

    Returns (results, errors) in completion order: what each call returned, and what
    each call raised (BaseException, so a pytest.fail() or an assert inside `work` is
    reported, not lost in a thread). Each thread closes its database connection. Fails
    if a thread is still running after JOIN_TIMEOUT_SECONDS.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
            outcome = work(index)
            with lock:
                results.append(outcome)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors
