"""A real Celery worker, with the project's configuration, against Redis: SIGTERM lets
the running task finish; a pool process killed mid-task hands its message back, and the
task runs again (task_acks_late + task_reject_on_worker_lost, krogiving/celery.py)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    # The test settings run tasks eagerly; send_task goes to the broker all the same.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def broker_url(tmp_path_factory):
    """A Redis server of the module's own: the broker's lists, hashes and sets never meet
    the tests that read every key of the shared test database."""
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server is not installed here")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def worker(tmp_path, broker_url):
    redis_url = broker_url
    queue = f"ops-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "krogiving.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SENTRY_DSN": "",
        "HIGHLIGHT_PROJECT_ID": "",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.ops.worker_app",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            f"--queues={queue}",
            f"--hostname={queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = redis.Redis.from_url(redis_url)
    key = f"{queue}:runs"

    def send(seconds: float) -> None:
        from tests.ops.worker_app import app

        with app.connection_for_write(redis_url) as connection:
            app.send_task(
                "ops_test.record_and_sleep",
                args=[key, seconds],
                queue=queue,
                connection=connection,
            )

    def runs(until, timeout: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = [item.decode() for item in client.lrange(key, 0, -1)]
            if until(seen):
                return seen
            if process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"worker did not get there: {seen}\n{_output(process)}")

    yield process, send, runs
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    client.flushdb()


def _output(process: subprocess.Popen) -> str:
    if process.poll() is None:
        return "(still running)"
    return (process.stdout.read() if process.stdout else "")[-3000:]


def test_sigterm_lets_the_running_task_finish(worker):
    process, send, runs = worker
    send(2)
    runs(lambda seen: len(seen) == 1)  # started, sleeping
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0, _output(process)
    seen = [item.split(":")[0] for item in runs(lambda seen: True, timeout=1)]
    assert seen == ["started", "done"]


def test_a_pool_process_killed_mid_task_hands_the_message_back(worker):
    _, send, runs = worker
    send(60)
    (first,) = runs(lambda seen: len(seen) == 1)
    os.kill(int(first.split(":")[1]), signal.SIGKILL)  # the pool process, mid-task
    seen = runs(lambda seen: seen[-1:] == ["done"])
    # Redelivered to a new pool process, which finished it.
    assert len(seen) == 3
    assert seen[1].startswith("started:") and seen[1] != first
