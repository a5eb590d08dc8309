# ruff: noqa: S603, S607, SIM115  (a local benchmark driving wrk, ps and redis-cli)
"""The serving probe: gunicorn (gunicorn.conf.py, as deployed) against PostgreSQL and
Redis, Paystack faked on loopback, wrk with 16 connections; each hot path side by side
with the bare views of bench/probes/urls.py, in the same run. Prints a table; asserts
nothing. The full harness is `make bench` (bench/README.md); this is the quick one.

    .venv/bin/python bench/probes/serving.py --seed       # once: fill its own database
    .venv/bin/python bench/probes/serving.py [--latency-ms 100] [--duration 8]
        [--cases bare,detail,...] [--env WEB_CONCURRENCY=3 --env GUNICORN_THREADS=8]

Its database is `krogiving_serving_probe` on the server of DATABASE_URL (dropped and
made again by --seed, with bench/leaderboard.py's filling: one campaign with 100,000
donations, 50 with 100); Redis database REDIS_URL (default db 15).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


DB_NAME = "krogiving_serving_probe"
BIG = "bench-leaderboard"  # 100,000 donations
SMALL = "bench-other-0"  # 100 donations

CASES: dict[str, tuple[str, str]] = {
    # name: (method, path)
    "bare": ("GET", "/bench/bare"),
    "bare_query": ("GET", "/bench/bare-query"),
    "bare_paystack": ("GET", "/bench/bare-paystack"),
    "campaign_list": ("GET", "/v1/campaigns"),
    "campaign_detail": ("GET", f"/v1/campaigns/{BIG}"),
    "campaign_detail_100": ("GET", f"/v1/campaigns/{SMALL}"),
    "leaderboard": ("GET", f"/v1/campaigns/{BIG}/leaderboard"),
    "leaderboard_100": ("GET", f"/v1/campaigns/{SMALL}/leaderboard"),
    "donations": ("GET", f"/v1/campaigns/{BIG}/donations"),
    "donations_100": ("GET", f"/v1/campaigns/{SMALL}/donations"),
    "comments": ("GET", f"/v1/campaigns/{BIG}/comments"),
    "initialize": ("POST", "/v1/donations/initialize"),
}
RATIO_TO = {"initialize": "bare_paystack", "bare_paystack": "bare_paystack"}

INITIALIZE_BODY = json.dumps(
    {"campaign": BIG, "amount": 500000, "currency": "NGN", "email": "probe@example.com"}
)
INITIALIZE_LUA = f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{INITIALIZE_BODY}'
"""


def _db_url(server_url: str) -> str:
    parsed = urlparse(server_url)
    return urlunparse(parsed._replace(path=f"/{DB_NAME}"))


def seed(database_url: str) -> None:
    """bench/leaderboard.py's filling (100,000 + 50 x 100 donations), plus comments."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "leaderboard.py"),
            "--database-url",
            database_url,
            "--database-name",
            DB_NAME,
            "--noise",
            "5000",
            "--repeat",
            "1",
            "--keep",
        ],
        check=True,
        cwd=ROOT,
    )
    code = f"""
from apps.campaigns.models import Campaign, Comment
from apps.users.models import User
campaign = Campaign.objects.get(slug={BIG!r})
authors = [User.objects.create_user(email=f"commenter{{n}}@bench.local", password=None,
           first_name=f"Commenter{{n}}", last_name="Probe") for n in range(20)]
Comment.objects.bulk_create(Comment(campaign=campaign, author=authors[n % 20],
    body=f"Comment number {{n}}, well done!") for n in range(200))
"""
    env = {**_server_env(database_url, "redis://127.0.0.1:6379/15", 0), "DEBUG": "false"}
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], check=True, cwd=ROOT, env=env
    )


def _server_env(database_url: str, redis_url: str, paystack_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.probes.settings",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": _db_url(database_url),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "krogiving-serving-probe",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "JOBS_IN_PROCESS": "false",
        "PAYSTACK_SECRET_KEY": "sk_test_probe",
        "PAYSTACK_BASE_URL": f"http://127.0.0.1:{paystack_port}",
        "DONATION_INITIALIZE_THROTTLE": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "SENTRY_DSN": "",
        "HIGHLIGHT_PROJECT_ID": "",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)


def _wait_ready(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Until every worker answers (each has imported the app): a few quick requests."""
    deadline = time.monotonic() + seconds
    answered = 0
    while answered < 20:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                answered += response.status == 200
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn does not answer") from None
            time.sleep(0.5)


def _wrk(url: str, method: str, duration: int, connections: int, lua: str | None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["--latency", url]
    if lua:
        command[1:1] = ["-s", lua]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": p50.group(1) if p50 else "",
        "p99": p99.group(1) if p99 else "",
        "errors": int(errors.group(1)) if errors else 0,
        "socket": sock.group(1) if sock else "",
    }


def _rss_mb(pid: int) -> list[float]:
    """RSS of gunicorn's workers (children of the arbiter), in MB."""
    out = subprocess.run(
        ["ps", "--ppid", str(pid), "-o", "rss="], capture_output=True, text=True
    ).stdout
    return [int(line) / 1024 for line in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/krogiving"),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--env", action="append", default=[], help="NAME=value for gunicorn")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    if args.seed:
        seed(args.database_url)
        return

    paystack_port = _free_port()
    # Its own process, as Paystack is: never competing with this one for the GIL.
    fake = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "probes" / "fake_paystack.py"),
            "--port",
            str(paystack_port),
            "--latency-ms",
            str(args.latency_ms),
        ]
    )
    port = _free_port()
    env = _server_env(args.database_url, args.redis_url, paystack_port)
    env["PORT"] = str(port)
    for pair in args.env:
        name, _, value = pair.partition("=")
        env[name] = value
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=False, capture_output=True)
    log = tempfile.NamedTemporaryFile("w+", prefix="serving-probe-", suffix=".log", delete=False)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "krogiving.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results: dict[str, dict] = {}
    try:
        _wait_port(port, gunicorn)
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base + "/bench/bare", gunicorn)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(INITIALIZE_LUA)
        for name in args.cases.split(","):
            method, path = CASES[name]
            script = lua.name if method == "POST" else None
            # warm up: workers import lazily, caches fill
            _wrk(base + path, method, 2, args.connections, script)
            results[name] = _wrk(base + path, method, args.duration, args.connections, script)
            print(name, results[name], flush=True)
        rss = _rss_mb(gunicorn.pid)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(60)
        fake.terminate()
        fake.wait(10)
    print()
    print(f"latency {args.latency_ms} ms, env {args.env}, log {log.name}")
    print(f"{'case':22} {'rps':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'ratio':>6}")
    for name, row in results.items():
        ceiling = results.get(RATIO_TO.get(name, "bare"))
        ratio = f"{row['rps'] / ceiling['rps']:.2f}" if ceiling and ceiling["rps"] else ""
        print(
            f"{name:22} {row['rps']:>8.0f} {row['p50']:>9} {row['p99']:>9} "
            f"{row['errors']:>8} {ratio:>6} {row['socket']}"
        )
    print("worker RSS (MB):", ", ".join(f"{mb:.0f}" for mb in rss))
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "rss_mb": rss}, indent=2))


if __name__ == "__main__":
    main()
