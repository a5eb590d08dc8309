"""`make bench`: the production configuration on this machine, under load, side by side.

    .venv/bin/python bench/run.py [--duration 10] [--warmup 2] [--connections 16] ...

Phases (each timed and reported): preflight (services up, ports free, wrk there) ->
database (its own, created, migrated; static files collected into a temporary directory)
-> seed (bench/seed.py) -> ledger_check -> start the fake Paystack, gunicorn (the
Procfile's `web:` line, gunicorn.conf.py) and the Celery worker (the Procfile's `worker:`
line) -> the cases (wrk from this separate process) -> settlement throughput -> webhook
intake -> drain -> checks (ledger_check, every delivered donation credited exactly once)
-> export_donations -> memory -> bench/results.md (newest section on top).

Every option also reads an environment variable (BENCH_<OPTION>, e.g. BENCH_DURATION=5).
Processes are started in their own process groups and stopped on exit, Ctrl-C or error;
the bench database is dropped at the end (--keep-db keeps it) and the Redis database
number (--redis-db, default 13) is flushed before and after. It never touches another
database: it refuses a database name without "bench" in it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
SECRET = "sk_test_bench_0123456789abcdef0123456789abcdef"
GIT = shutil.which("git") or "git"
HEADERS = {"X-Forwarded-Proto": "https"}  # as behind the platform's TLS proxy


# Campaigns whose raised amount, donor count or leaderboard rows disagree with their
# succeeded donations: the harness's check after the webhook cases (and its test's).
DISAGREEING_CAMPAIGNS_SQL = """
SELECT count(*) FROM campaigns_campaign c
LEFT JOIN (SELECT campaign_id, sum(total) s, sum(donation_count) n
           FROM donations_donoraggregate GROUP BY campaign_id) a
  ON a.campaign_id = c.id
LEFT JOIN (SELECT campaign_id, count(*) n, count(DISTINCT lower(email)) donors
           FROM donations_donation WHERE status = 'succeeded' GROUP BY campaign_id) d
  ON d.campaign_id = c.id
WHERE coalesce(a.s, 0) <> c.raised_amount OR coalesce(a.n, 0) <> coalesce(d.n, 0)
   OR coalesce(d.donors, 0) <> c.donor_count
"""


def _env(name: str, default: Any) -> Any:
    value = os.environ.get(f"BENCH_{name.upper()}")
    if value is None or value == "":
        return default
    return type(default)(value) if not isinstance(default, bool) else value.lower() in "1yestrue"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="KROGiving benchmark (bench/README.md)")
    add = p.add_argument
    add("--duration", type=float, default=_env("duration", 10.0), help="seconds per case")
    add("--warmup", type=float, default=_env("warmup", 2.0), help="seconds before each case")
    add("--connections", type=int, default=_env("connections", 16))
    add(
        "--slow-connections",
        type=int,
        default=_env("slow_connections", 64),
        help="connections for initialize with a slow Paystack",
    )
    add("--threads", type=int, default=_env("threads", 2), help="wrk threads")
    add(
        "--latency-ms",
        type=float,
        default=_env("latency_ms", 100.0),
        help="Paystack's latency in the slow cases and settlement",
    )
    add("--port", type=int, default=_env("port", 18080))
    add("--fake-port", type=int, default=_env("fake_port", 18090))
    add(
        "--database-url",
        default=_env("database_url", "postgres://postgres@127.0.0.1:5432/"),
        help="server of the bench database (only host, port, user, password are used)",
    )
    add("--database-name", default=_env("database_name", "krogiving_bench"))
    add("--redis-url", default=_env("redis_url", "redis://127.0.0.1:6379"))
    add("--redis-db", type=int, default=_env("redis_db", 13))
    add("--campaigns", type=int, default=_env("campaigns", 10_000))
    add("--donations", type=int, default=_env("donations", 1_000_000))
    add("--big", type=int, default=_env("big", 100_000), help="donations of the big campaign")
    add(
        "--settle-count",
        type=int,
        default=_env("settle_count", 500),
        help="donations per settlement throughput case",
    )
    add("--settle-timeout", type=float, default=_env("settle_timeout", 45.0))
    add("--drain-timeout", type=float, default=_env("drain_timeout", 150.0))
    add("--max-intake-bodies", type=int, default=_env("max_intake_bodies", 6000))
    add(
        "--export-timeout",
        type=float,
        default=_env("export_timeout", 120.0),
        help="stop export_donations after this long and report the rate so far",
    )
    add(
        "--gunicorn-max-requests",
        default=_env("gunicorn_max_requests", "0"),
        help="GUNICORN_MAX_REQUESTS for the run: 0 (default) turns worker recycling off, "
        "'deployed' keeps gunicorn.conf.py's value (see bench/README.md)",
    )
    add("--keep-db", action="store_true", default=_env("keep_db", False))
    add("--results", default=_env("results", str(BENCH / "results.md")))
    add("--note", default=_env("note", ""), help="a line for the results (machine load...)")
    add("--only", default=_env("only", ""), help="comma-separated case name prefixes to run")
    return p.parse_args()


# --- processes ------------------------------------------------------------------------------


class Procs:
    """Children in their own process groups, stopped in reverse order on exit."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 (lives with the process)
        proc = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, proc))
        return proc

    def check_alive(self) -> None:
        for name, proc in self.started:
            if proc.poll() is not None:
                raise BenchError(
                    f"{name} exited with {proc.returncode}; see {self.logdir / (name + '.log')}"
                )

    def stop(self, name: str) -> None:
        """Stop one child (SIGTERM to its group: Celery's warm shutdown finishes its tasks)."""
        for entry in list(self.started):
            if entry[0] != name:
                continue
            proc = entry[1]
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self.started.remove(entry)
            print(f"  stopped {name}")

    def stop_all(self) -> None:
        for _name, proc in reversed(self.started):
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, proc in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            print(f"  stopped {name}")
        self.started.clear()


class BenchError(Exception):
    pass


def _procfile_line(kind: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{kind}:"):
            return line.split(":", 1)[1].strip()
    raise BenchError(f"Procfile has no {kind}: line")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    if not url.startswith("http://127.0.0.1:"):
        raise BenchError(f"loopback only: {url}")
    request = urllib.request.Request(  # noqa: S310 (checked above)
        url, data=body, method=method, headers={**HEADERS, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --- wrk ------------------------------------------------------------------------------------

LUA = r"""
-- generated by bench/run.py
local threads = {}
local counter = 0
local lines = {}
local n = 0
local mine = 0
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  statuses = {}
  if BODIES ~= nil then
    local f = io.open(BODIES, "r")
    local i = 0
    for line in f:lines() do
      if i % NTHREADS == tid - 1 then
        local tab = line:find("\t", 1, true)
        table.insert(lines, {line:sub(1, tab - 1), line:sub(tab + 1)})
      end
      i = i + 1
    end
    f:close()
    mine = #lines
  end
end
function request()
  counter = counter + 1
  local headers = {}
  for k, v in pairs(HEADERS) do headers[k] = v end
  local body = BODY
  if mine > 0 then
    local item = lines[((counter - 1) % mine) + 1]
    headers[SIGNATURE_HEADER] = item[1]
    body = item[2]
  end
  if IDEMPOTENCY then
    headers["Idempotency-Key"] = NONCE .. "-" .. tid .. "-" .. counter
  end
  return wrk.format(METHOD, PATH, headers, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  local out = {}
  for k, v in pairs(total) do table.insert(out, string.format('"%d": %d', k, v)) end
  io.write("STATUSES {" .. table.concat(out, ", ") .. "}\n")
  io.write(string.format("PERCENTILES %f %f %f\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99)))
end
"""


def _lua_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for our values


@dataclass
class Load:
    path: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    bodies_file: Path | None = None  # lines "signature\tbody"
    idempotency: bool = False
    connections: int | None = None


@dataclass
class Result:
    name: str
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    ratio: float | None = None
    ratio_to: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    connections: int = 0


class Runner:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.base = f"http://127.0.0.1:{args.port}"
        self.nonce = hex(int(time.time()))[2:]
        self.serial = 0

    def script(self, load: Load) -> Path:
        self.serial += 1
        headers = {**HEADERS, **load.headers}
        if load.body is not None:
            headers.setdefault("Content-Type", "application/json")
        lua = [
            f"METHOD = {_lua_str(load.method)}",
            f"PATH = {_lua_str(load.path)}",
            f"BODY = {_lua_str(load.body) if load.body is not None else 'nil'}",
            "HEADERS = {"
            + ", ".join(f"[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items())
            + "}",
            f"BODIES = {_lua_str(str(load.bodies_file)) if load.bodies_file else 'nil'}",
            f"NTHREADS = {self.args.threads}",
            'SIGNATURE_HEADER = "x-paystack-signature"',
            f"IDEMPOTENCY = {'true' if load.idempotency else 'false'}",
            f"NONCE = {_lua_str(self.nonce + '-' + str(self.serial))}",
        ]
        path = self.workdir / f"case{self.serial}.lua"
        path.write_text("\n".join(lua) + LUA)
        return path

    def wrk(self, load: Load, seconds: float) -> Result:
        connections = load.connections or self.args.connections
        threads = min(self.args.threads, connections)
        argv = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(self.script(load)),
            self.base + load.path,
        ]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise BenchError(f"wrk failed: {done.stderr or done.stdout}")
        return parse_wrk(done.stdout, connections)

    def boots(self) -> int:
        """gunicorn workers (re)started so far: recycling stalls a case while they load."""
        with suppress(OSError):
            return (self.workdir / "web.log").read_text(errors="replace").count("Booting worker")
        return 0

    def prime(self, load: Load) -> None:
        """One GET alone before the warm-up, so a cold cache is filled by one request, not
        by all the connections at once (the first case after seeding otherwise spends its
        warm-up and part of its run on concurrent identical misses on a cold database)."""
        import urllib.request

        if load.method != "GET" or load.headers:
            return
        with suppress(OSError), urllib.request.urlopen(self.base + load.path, timeout=60):  # noqa: S310
            pass

    def case(self, name: str, load: Load, *, warmup: bool = True) -> Result:
        if warmup and self.args.warmup > 0:
            self.prime(load)
            self.wrk(load, self.args.warmup)
        before = self.boots()
        result = self.wrk(load, self.args.duration)
        result.name = name
        restarted = self.boots() - before
        if restarted:
            result.note = "; ".join(
                n for n in (result.note, f"{restarted} gunicorn worker(s) restarted meanwhile") if n
            )
        return result


def parse_wrk(out: str, connections: int) -> Result:
    r = Result(name="", connections=connections)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        r.rps = float(m[1])
    if m := re.search(r"(\d+) requests in", out):
        r.requests = int(m[1])
    if m := re.search(r"PERCENTILES ([\d.]+) ([\d.]+) ([\d.]+)", out):
        r.p50, r.p99 = float(m[1]) / 1000, float(m[3]) / 1000  # microseconds -> ms
    if m := re.search(r"STATUSES (\{.*\})", out):
        r.statuses = json.loads(m[1])
    socket_errors = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        socket_errors = sum(int(g) for g in m.groups())
    bad = sum(v for k, v in r.statuses.items() if not k.startswith("2"))
    r.errors = bad + socket_errors
    if socket_errors:
        r.note = f"socket errors {socket_errors}"
    return r


# --- the run --------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    if "bench" not in args.database_name:
        sys.exit(f"refusing database {args.database_name!r}: its name must contain 'bench'")
    started = time.monotonic()
    phases: dict[str, float] = {}
    workdir = Path(tempfile.mkdtemp(prefix="krogiving-bench-"))
    procs = Procs(workdir)
    state: dict[str, Any] = {"db_created": False}

    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Both, explicitly: a shell that starts the run in the background ignores SIGINT.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"bench: logs and scripts in {workdir}")
    try:
        report = run(args, procs, workdir, phases, state)
        phases["total"] = time.monotonic() - started
        write_results(args, report, phases)
        print(f"bench: done in {phases['total']:.0f}s; results in {args.results}")
        return 0
    except KeyboardInterrupt:
        print("\nbench: interrupted; cleaning up", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        procs.stop_all()
        cleanup(args, state)
        for bulky in ("static", "media"):
            shutil.rmtree(workdir / bulky, ignore_errors=True)
        for tsv in workdir.glob("*.tsv"):
            tsv.unlink()
        print(f"bench: logs kept in {workdir}")


def phase(phases: dict[str, float], name: str) -> Any:
    class _Timer:
        def __enter__(self) -> None:
            self.t = time.monotonic()
            print(f"== {name}", flush=True)

        def __exit__(self, *exc: Any) -> None:
            phases[name] = time.monotonic() - self.t
            print(f"   {name}: {phases[name]:.1f}s", flush=True)

    return _Timer()


def server_dsn(args: argparse.Namespace, dbname: str) -> str:
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(args.database_url)
    if not parsed.scheme.startswith("postgres"):
        raise BenchError("--database-url must be a PostgreSQL server (postgres://...)")
    return urlunparse(parsed._replace(path=f"/{dbname}"))


def preflight(args: argparse.Namespace) -> None:
    import psycopg
    import redis

    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed (make bench installs it with apt-get as root)")
    try:
        with psycopg.connect(server_dsn(args, "postgres"), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        raise BenchError(f"PostgreSQL is not reachable at {args.database_url}: {exc}") from exc
    try:
        redis.Redis.from_url(f"{args.redis_url}/{args.redis_db}", socket_timeout=5).ping()
    except Exception as exc:
        raise BenchError(f"Redis is not reachable at {args.redis_url}: {exc}") from exc
    for port in (args.port, args.fake_port):
        if not _port_free(port):
            raise BenchError(f"port {port} on 127.0.0.1 is taken (--port / --fake-port)")


def app_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        PATH=f"{Path(PY).parent}:{os.environ.get('PATH', '')}",
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY="bench-" + "x" * 50,
        DATABASE_URL=server_dsn(args, args.database_name),
        REDIS_URL=f"{args.redis_url}/{args.redis_db}",
        CACHE_KEY_PREFIX="krogiving-bench",
        PAYSTACK_SECRET_KEY=SECRET,
        PAYSTACK_BASE_URL=f"http://127.0.0.1:{args.fake_port}",
        SENDGRID_API_KEY="SG.bench-fake",
        ALLOW_LOCAL_MEDIA_IN_PRODUCTION="true",
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{args.port}",
        # Load comes from one address: the per-address throttle would refuse it all.
        DONATION_INITIALIZE_THROTTLE="100000000/min",
        PORT=str(args.port),
        PYTHONUNBUFFERED="1",
    )
    if args.gunicorn_max_requests != "deployed":
        env["GUNICORN_MAX_REQUESTS"] = str(int(args.gunicorn_max_requests))
    env.pop("SENTRY_DSN", None)
    env.pop("HIGHLIGHT_PROJECT_ID", None)
    return env


def manage(env: dict[str, str], *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603
        [PY, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise BenchError(f"manage.py {' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def create_database(args: argparse.Namespace, state: dict[str, Any]) -> None:
    import psycopg

    with psycopg.connect(server_dsn(args, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database_name}"')
    state["db_created"] = True


def cleanup(args: argparse.Namespace, state: dict[str, Any]) -> None:
    with suppress(Exception):
        from django.db import connections

        connections.close_all()
    with suppress(Exception):
        import redis

        redis.Redis.from_url(f"{args.redis_url}/{args.redis_db}").flushdb()
    if state.get("db_created") and not args.keep_db:
        try:
            import psycopg

            with psycopg.connect(server_dsn(args, "postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database_name}" WITH (FORCE)')
            print(f"  dropped database {args.database_name}")
        except Exception as exc:
            print(f"  could not drop {args.database_name}: {exc}", file=sys.stderr)


def wait_http(url: str, seconds: float, procs: Procs) -> None:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        procs.check_alive()
        try:
            status, _ = http("GET", url, timeout=5)
            if status == 200:
                return
            last = status
        except OSError as exc:
            last = exc
        time.sleep(0.3)
    raise BenchError(f"{url} did not answer 200 within {seconds:.0f}s (last: {last})")


def set_latency(args: argparse.Namespace, ms: float) -> None:
    status, _ = http("GET", f"http://127.0.0.1:{args.fake_port}/__bench/latency?ms={ms}")
    if status != 200:
        raise BenchError("the fake Paystack did not take the latency")


def sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest()


def charge_success(reference: str, amount: int, currency: str, n: int) -> bytes:
    from bench.fake_paystack import _fixture

    event = _fixture("charge.success")
    data = dict(event.get("data") or {})
    data.update(
        id=4_000_000_000 + n,
        reference=reference,
        amount=amount,
        currency=currency,
        status="success",
    )
    return json.dumps({"event": "charge.success", "data": data}, separators=(",", ":")).encode()


def bodies_file(path: Path, refs: list[tuple[str, int, str]], offset: int) -> Path:
    with path.open("w") as f:
        for n, (reference, amount, currency) in enumerate(refs):
            body = charge_success(reference, amount, currency, offset + n)
            f.write(f"{sign(body)}\t{body.decode()}\n")
    return path


def pids_children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(int(entry.name))
    return found


def memory_of(pid: int) -> dict[str, float]:
    values = {}
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values


def run(
    args: argparse.Namespace,
    procs: Procs,
    workdir: Path,
    phases: dict[str, float],
    state: dict[str, Any],
) -> dict[str, Any]:
    from bench.seed import Scale, make_pending, seed

    report: dict[str, Any] = {"results": [], "checks": {}, "notes": []}
    results: list[Result] = report["results"]
    only = [p for p in args.only.split(",") if p]

    def wanted(name: str) -> bool:
        return not only or any(name.startswith(p) for p in only)

    with phase(phases, "preflight"):
        preflight(args)
        import redis

        redis.Redis.from_url(f"{args.redis_url}/{args.redis_db}").flushdb()
    env = app_env(args, workdir)

    with phase(phases, "database: create, migrate, collectstatic"):
        create_database(args, state)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput")

    with phase(phases, "seed"):
        os.environ.update({k: env[k] for k in env if k not in ("PATH",)})
        import django

        django.setup()
        seeded = seed(
            Scale(campaigns=args.campaigns, donations=args.donations, big=args.big), print
        )
        report["seed"] = {"counts": seeded.counts, "timings": seeded.timings}
    with phase(phases, "ledger_check after seeding"):
        from django.db import connections

        connections.close_all()
        done = manage(env, "ledger_check", check=False)
        report["checks"]["ledger_check after seeding"] = (
            done.returncode == 0,
            done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:],
        )
        if done.returncode != 0:
            raise BenchError(
                f"ledger_check fails after seeding:\n{done.stdout}\n{done.stderr[-3000:]}"
            )

    with phase(phases, "start: fake Paystack, gunicorn, Celery worker"):
        procs.start(
            "fake_paystack",
            [
                PY,
                str(BENCH / "fake_paystack.py"),
                "--port",
                str(args.fake_port),
                "--latency-ms",
                "0",
            ],
            env,
        )
        web = _procfile_line("web")
        web_argv = shlex.split(web)
        if web_argv[0] == "gunicorn":
            web_argv += ["--bind", f"127.0.0.1:{args.port}"]
        procs.start("web", ["bash", "-c", "exec " + shlex.join(web_argv)], env)
        worker = _procfile_line("worker")
        procs.start("worker", ["bash", "-c", "exec " + worker], env)
        report["web_command"] = shlex.join(web_argv)
        report["worker_command"] = worker
        wait_http(f"http://127.0.0.1:{args.fake_port}/__bench/stats", 20, procs)
        wait_http(f"http://127.0.0.1:{args.port}/bench/bare", 90, procs)
        wait_for_worker(env, procs)

    runner = Runner(args, workdir)
    big, small = seeded.big_slug, seeded.small_slug
    by_name: dict[str, Result] = {}

    def record(
        result: Result,
        *,
        ratio_to: str | None = "bare",
        target: str = "",
        ok: Any = None,
        note: str = "",
    ) -> Result:
        if ratio_to and ratio_to in by_name and by_name[ratio_to].rps:
            result.ratio = result.rps / by_name[ratio_to].rps
            result.ratio_to = ratio_to
        result.target = target
        if ok is not None:
            result.met = bool(ok(result))
        result.note = "; ".join(n for n in (result.note, note) if n)
        results.append(result)
        by_name[result.name] = result
        print(
            f"   {result.name:58} {result.rps:9.1f} rps  p50 {result.p50:7.1f} ms  "
            f"p99 {result.p99:7.1f} ms  errors {result.errors}"
            + (f"  ratio {result.ratio:.2f}" if result.ratio is not None else ""),
            flush=True,
        )
        return result

    def get_case(name: str, path: str, **kw: Any) -> Result | None:
        if not wanted(name):
            return None
        status, body = http("GET", runner.base + path)
        if status != 200:
            raise BenchError(f"{name}: GET {path} answered {status}: {body[:300]!r}")
        return record(runner.case(name, Load(path)), **kw)

    ratio = lambda x: lambda r: r.ratio is not None and r.ratio >= x  # noqa: E731

    with phase(phases, "cases: ceilings and pages"):
        set_latency(args, 0)
        get_case("bare", "/bench/bare", ratio_to=None)
        get_case("bare + one query", "/bench/bare-query")
        get_case("bare + one Paystack call (latency 0)", "/bench/bare-paystack")
        get_case("campaign list", "/v1/campaigns", target=">= 0.6", ok=ratio(0.6))
        get_case(
            "campaign list, category + currency filter",
            f"/v1/campaigns?category={seeded.category}&currency=NGN",
            target=">= 0.6",
            ok=ratio(0.6),
        )
        get_case(
            "campaign list, ordering most_funded",
            "/v1/campaigns?ordering=most_funded",
            target=">= 0.6",
            ok=ratio(0.6),
        )
        get_case(
            "campaign list, search",
            f"/v1/campaigns?q={seeded.search_word}",
            target=">= 0.6",
            ok=ratio(0.6),
        )
        get_case(
            "campaign detail (100,000 donations)",
            f"/v1/campaigns/{big}",
            target=">= 0.8",
            ok=ratio(0.8),
        )
        get_case("comments (300)", f"/v1/campaigns/{big}/comments", target=">= 0.5", ok=ratio(0.5))
        get_case(
            "donations list (100,000 donations)",
            f"/v1/campaigns/{big}/donations",
            target=">= 0.5",
            ok=ratio(0.5),
        )
        get_case(
            "leaderboard (100,000 donations)",
            f"/v1/campaigns/{big}/leaderboard",
            target=">= 0.6",
            ok=ratio(0.6),
        )

    with phase(phases, "cases: scale (100 vs 100,000 donations)"):
        for what, path in (
            ("campaign detail", ""),
            ("donations list", "/donations"),
            ("leaderboard", "/leaderboard"),
        ):
            name = f"{what} (100 donations)"
            big_name = f"{what} (100,000 donations)"
            r = get_case(name, f"/v1/campaigns/{small}{path}")
            if r is not None and big_name in by_name and by_name[big_name].rps:
                slower = r.rps / by_name[big_name].rps
                r.target = "100,000 within 1.5x of 100"
                r.met = slower <= 1.5
                r.note = f"100 donations is {slower:.2f}x the rps of 100,000"

    initialize_body = json.dumps(
        {
            "campaign": small,
            "amount": 500_000,
            "currency": "NGN",
            "email": "donor@bench.local",
            "name": "Bench Donor",
        }
    )
    with phase(phases, "cases: donation initialize"):
        if wanted("donation initialize"):
            status, body = http(
                "POST",
                runner.base + "/v1/donations/initialize",
                initialize_body.encode(),
                {"Content-Type": "application/json"},
            )
            if status != 201:
                raise BenchError(f"initialize answered {status}: {body[:300]!r}")
            record(
                runner.case(
                    "donation initialize (latency 0)",
                    Load("/v1/donations/initialize", "POST", initialize_body),
                ),
                ratio_to="bare + one Paystack call (latency 0)",
                target=">= 0.7",
                ok=ratio(0.7),
            )
            set_latency(args, args.latency_ms)
            slow = args.slow_connections
            lat = int(args.latency_ms)
            record(
                runner.case(
                    f"bare + one Paystack call (latency {lat} ms, {slow} conns)",
                    Load("/bench/bare-paystack", connections=slow),
                ),
                ratio_to=None,
            )
            init_slow = Load("/v1/donations/initialize", "POST", initialize_body, connections=slow)
            record(
                runner.case(f"donation initialize (latency {lat} ms, {slow} conns)", init_slow),
                ratio_to=None,
                target=">= 150 rps",
                ok=lambda r: r.rps >= 150,
            )
            # The site while initialize waits on a slow Paystack: detail alongside.
            both: dict[str, Result] = {}
            t = threading.Thread(
                target=lambda: both.update(init=runner.wrk(init_slow, args.duration))
            )
            t.start()
            detail = runner.wrk(Load(f"/v1/campaigns/{big}"), args.duration)
            t.join()
            detail.name = f"campaign detail while initialize waits (latency {lat} ms)"
            record(
                detail,
                target=">= 0.8",
                ok=ratio(0.8),
                note=f"initialize alongside: {both['init'].rps:.1f} rps, "
                f"{both['init'].errors} errors",
            )
            set_latency(args, 0)

    with phase(phases, "cases: withdrawal request"):
        if wanted("withdrawal"):
            body = json.dumps(
                {
                    "campaign": seeded.withdraw_campaign_id,
                    "amount": seeded.withdrawal_amount,
                    "bank_account": seeded.bank_account_id,
                }
            )
            auth = {"Authorization": f"Bearer {seeded.organizer_token}"}
            r = runner.case(
                "withdrawal request",
                Load("/v1/withdrawal", "POST", body, headers=auth, idempotency=True),
            )
            refused = r.statuses.get("409", 0)
            r.errors -= refused
            r.note = (
                f"{r.statuses.get('201', 0)} created, {refused} refused (409, balance "
                f"held); amount {seeded.withdrawal_amount}, available at start "
                f"{seeded.withdraw_available}"
            )
            record(r)

    with phase(phases, "settlement throughput"):
        set_latency(args, 0)
        drain(args, report, phases, "drain before settlement (verify latency 0)", quick=True)
        for hot in (False, True):
            name = f"settlement, {'hot (one campaign)' if hot else 'spread'} (verify {int(args.latency_ms)} ms)"  # noqa: E501
            if not wanted("settlement"):
                continue
            refs = make_pending(seeded, args.settle_count, hot=hot)
            set_latency(args, args.latency_ms)
            results.append(settle_case(args, runner, name, refs, seeded.pending_serial))
            by_name[name] = results[-1]
            set_latency(args, 0)  # catch up quickly before the next case
            drain(
                args,
                report,
                phases,
                f"drain after the {'hot' if hot else 'spread'} settlement case (verify latency 0)",
                quick=True,
            )

    with phase(phases, "cases: webhook intake"):
        bare_rps = by_name["bare"].rps if "bare" in by_name else 500
        count = int(min(args.max_intake_bodies, max(500, bare_rps * 0.6 * args.duration)))
        for hot in (False, True):
            name = f"webhook intake charge.success, {'hot (one campaign)' if hot else 'spread'}"
            if not wanted("webhook"):
                continue
            warm = make_pending(seeded, max(100, int(count * args.warmup / args.duration)), hot=hot)
            refs = make_pending(seeded, count, hot=hot)
            wfile = bodies_file(workdir / f"warm-{hot}.tsv", warm, seeded.pending_serial * 10)
            mfile = bodies_file(
                workdir / f"main-{hot}.tsv", refs, seeded.pending_serial * 10 + len(warm)
            )
            if args.warmup > 0:
                runner.wrk(Load("/v1/paystack/webhook", "POST", "", bodies_file=wfile), args.warmup)
            r = runner.case(
                name, Load("/v1/paystack/webhook", "POST", "", bodies_file=mfile), warmup=False
            )
            redeliveries = max(0, r.requests - count)
            record(
                r,
                target=">= 0.4",
                ok=ratio(0.4),
                note=f"{count} distinct events"
                + (
                    f", {redeliveries} byte-identical redeliveries after they ran out"
                    if redeliveries
                    else ""
                ),
            )

    set_latency(args, 0)
    drain(args, report, phases, "drain (verify latency 0)", quick=False)
    with phase(phases, "memory"):
        report["memory"] = memory_report(procs)
    # The checks and the export see a quiet database: whatever the worker had not done
    # by the end of the drain stays undone (reported), rather than racing the checks.
    procs.check_alive()
    procs.stop("worker")
    with phase(phases, "checks: ledger_check, exactly once"):
        from django.db import connections

        connections.close_all()
        done = manage(env, "ledger_check", check=False)
        last = (done.stdout.strip().splitlines() or [""])[-1]
        report["checks"]["ledger_check after the webhook cases"] = (
            done.returncode == 0,
            last if done.returncode == 0 else done.stderr[-500:],
        )
        report["checks"].update(exactly_once(delivered()))

    with phase(phases, "export_donations over every donation"):
        if wanted("export"):
            report["export"] = export_case(env, workdir, args.export_timeout)

    report["seeded"] = seeded
    return report


def wait_for_worker(env: dict[str, str], procs: Procs) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        procs.check_alive()
        done = subprocess.run(  # noqa: S603
            [str(Path(PY).parent / "celery"), "-A", "krogiving", "inspect", "ping", "-t", "2"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and "pong" in done.stdout:
            return
        time.sleep(1)
    raise BenchError("the Celery worker did not answer a ping within 60s; see worker.log")


def _credited(references: list[str]) -> int:
    from apps.donations.models import Donation

    total = 0
    for start in range(0, len(references), 5000):
        total += Donation.objects.filter(
            reference__in=references[start : start + 5000], status="succeeded"
        ).count()
    return total


def settle_case(
    args: argparse.Namespace,
    runner: Runner,
    name: str,
    refs: list[tuple[str, int, str]],
    offset: int,
) -> Result:
    """Deliver one charge.success per donation as fast as 16 clients can, then poll the
    database until every one is credited (or the timeout): donations per second from the
    first delivery to the last credit."""
    from django.db import connections

    bodies = [
        charge_success(ref, amount, cur, offset * 10 + n)
        for n, (ref, amount, cur) in enumerate(refs)
    ]
    refused: list[int] = []
    started = time.monotonic()

    def deliver(part: list[bytes]) -> None:
        for body in part:
            status, _ = http(
                "POST",
                runner.base + "/v1/paystack/webhook",
                body,
                {"Content-Type": "application/json", "x-paystack-signature": sign(body)},
            )
            if status != 200:
                refused.append(status)

    n = args.connections
    threads = [threading.Thread(target=deliver, args=(bodies[i::n],)) for i in range(n)]
    for t in threads:
        t.start()
    references = [r[0] for r in refs]
    credited, last_change, delivered_at = 0, started, None
    deadline = started + args.settle_timeout
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if delivered_at is None and not any(t.is_alive() for t in threads):
            delivered_at = time.monotonic() - started
        now_credited = _credited(references)
        if now_credited != credited:
            credited, last_change = now_credited, time.monotonic()
        if credited == len(refs):
            break
    for t in threads:
        t.join()
    connections.close_all()
    elapsed = max(0.001, (last_change if credited else time.monotonic()) - started)
    rate = credited / elapsed
    r = Result(
        name=name,
        rps=rate,
        requests=len(refs),
        errors=len(refused),
        connections=args.connections,
        target=">= 100 donations/s",
        met=rate >= 100,
    )
    complete = "all" if credited == len(refs) else f"only {credited} of"
    r.note = (
        f"donations/s: {complete} {len(refs)} credited in {elapsed:.1f}s; delivered in "
        f"{delivered_at or 0:.1f}s"
    )
    print(f"   {name:58} {rate:9.1f} donations/s  ({r.note})", flush=True)
    return r


def delivered() -> list[str]:
    """The references of every charge.success the app accepted (stored) so far."""
    from apps.payments.models import PaystackEvent

    return list(
        PaystackEvent.objects.filter(event_type="charge.success")
        .values_list("reference", flat=True)
        .distinct()
    )


def queue_length(args: argparse.Namespace) -> int:
    """Tasks waiting in the broker (every Celery queue's list in the bench's Redis db). The
    receipts a settlement sends queue behind it on the same worker: the next case must not
    start behind them."""
    import redis

    client = redis.Redis.from_url(f"{args.redis_url}/{args.redis_db}")
    total = 0
    for key in client.scan_iter(count=1000):
        if client.type(key) == b"list":
            total += int(client.llen(key))
    return total


def drain(
    args: argparse.Namespace,
    report: dict[str, Any],
    phases: dict[str, float],
    name: str,
    quick: bool,
) -> None:
    """Wait until every donation with an accepted charge.success is credited."""
    references = delivered()
    started = time.monotonic()
    timeout = args.settle_timeout if quick else args.drain_timeout
    credited = queued = 0
    while time.monotonic() - started < timeout:
        credited = _credited(references)
        queued = queue_length(args)
        if credited >= len(references) and queued == 0:
            break
        time.sleep(1)
    phases[name] = time.monotonic() - started
    report["notes"].append(
        f"{name}: {credited} of {len(references)} delivered donations "
        f"credited after {phases[name]:.0f}s, {queued} task(s) still queued"
    )
    print(f"   {report['notes'][-1]}", flush=True)


def exactly_once(references: list[str]) -> dict[str, tuple[bool, str]]:
    """Every delivered donation succeeded, with exactly one ledger posting; the
    leaderboard and donor counts agree with the donations everywhere."""
    from django.db import connection

    from apps.donations.models import Donation

    checks: dict[str, tuple[bool, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_delivered (reference text PRIMARY KEY)")
        for start in range(0, len(references), 5000):
            part = references[start : start + 5000]
            cursor.executemany("INSERT INTO bench_delivered VALUES (%s)", [(r,) for r in part])
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE d.status = 'succeeded'),
                   count(*) FILTER (WHERE t.n = 1), count(*) FILTER (WHERE t.n > 1)
            FROM bench_delivered b JOIN donations_donation d ON d.reference = b.reference
            LEFT JOIN (SELECT reference, count(*) n FROM ledger_ledgertransaction
                       GROUP BY reference) t ON t.reference = 'donation:' || d.id || ':succeeded'
            """
        )
        total, succeeded, once, more = cursor.fetchone()
        checks["no delivered donation credited twice"] = (
            more == 0 and once == succeeded,
            f"{len(references)} delivered, {succeeded} succeeded, {once} with one posting, "
            f"{more} with more",
        )
        checks["every delivered donation credited"] = (
            total == len(references) == succeeded,
            f"{succeeded} of {len(references)}"
            + (
                ""
                if succeeded == len(references)
                else f"; {len(references) - succeeded} still pending when the drain stopped waiting"
            ),
        )
        cursor.execute(DISAGREEING_CAMPAIGNS_SQL)
        wrong = cursor.fetchone()[0]
        checks["leaderboard and donor counts agree with the donations"] = (
            wrong == 0,
            f"{wrong} campaign(s) disagree",
        )
        cursor.execute("DROP TABLE bench_delivered")
    checks["donations in the database"] = (True, f"{Donation.objects.count():,}")
    return checks


def export_case(env: dict[str, str], workdir: Path, timeout: float) -> dict[str, Any]:
    """manage.py export_donations of every donation to a file; rows/s and the child's peak
    RSS (its own rusage, os.wait4). Stopped after `timeout` seconds: then the rate so far."""
    from apps.donations.models import Donation

    expected = Donation.objects.count()
    out = workdir / "export.csv"
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603
        [PY, "manage.py", "export_donations", "-o", str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stopped = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout and not stopped:
            stopped = True
            proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    rows = 0
    if out.exists():
        with out.open("rb") as f:
            rows = max(0, sum(1 for _ in f) - 1)
        out.unlink()
    peak_mb = usage.ru_maxrss / 1024
    rate = rows / elapsed if elapsed else 0
    result = {
        "rows": rows,
        "expected": expected,
        "seconds": elapsed,
        "rows_per_s": rate,
        "peak_mb": peak_mb,
        "ok": proc.returncode == 0 and not stopped,
        "stopped": stopped,
        "estimate_s": expected / rate if rate else 0,
    }
    print(
        f"   export: {rows:,} of {expected:,} rows in {elapsed:.1f}s ({rate:,.0f} rows/s), "
        f"peak RSS {peak_mb:.0f} MB{' (stopped at the timeout)' if stopped else ''}",
        flush=True,
    )
    return result


def memory_report(procs: Procs) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, proc in procs.started:
        if name not in ("web", "worker"):
            continue
        master = proc.pid
        children = pids_children(master)
        found[name] = {
            "master": memory_of(master),
            "children": [memory_of(pid) for pid in children],
        }
    return found


# --- results.md -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    info = {"kernel": platform.release(), "python": platform.python_version()}
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    info["cores"] = str(len(os.sched_getaffinity(0)))
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    with suppress(Exception):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    with suppress(Exception):
        import redis

        info["redis"] = redis.Redis.from_url(os.environ["REDIS_URL"]).info()["redis_version"]
    with suppress(Exception):
        info["wrk"] = (
            subprocess.run(  # noqa: S603
                [shutil.which("wrk") or "wrk", "-v"], capture_output=True, text=True, check=False
            )
            .stdout.split(" [")[0]
            .removeprefix("wrk ")
        )
    with suppress(Exception):
        info["load average at the end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return info


def _commit() -> str:
    with suppress(Exception):
        rev = subprocess.run(  # noqa: S603
            [GIT, "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            [GIT, "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        branch = subprocess.run(  # noqa: S603
            [GIT, "rev-parse", "--abbrev-ref", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return f"{rev} ({branch}{', uncommitted changes' if dirty else ''})"
    return "unknown"


def _yes(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "**no**")


def write_results(
    args: argparse.Namespace, report: dict[str, Any], phases: dict[str, float]
) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    m = machine()
    lines = [f"## {now}, commit {_commit()}", ""]
    lines.append("Machine: " + "; ".join(f"{k} {v}" for k, v in m.items()) + ".")
    lines.append("")
    lines.append(
        f"Serving: `{report.get('web_command', '')}` (gunicorn.conf.py); worker: "
        f"`{report.get('worker_command', '')}`. wrk {args.threads} threads, "
        f"{args.connections} connections unless the case says, {args.duration:g} s "
        f"per case after {args.warmup:g} s of warm-up. Paystack faked on loopback."
    )
    if args.note:
        lines += ["", f"Note: {args.note}"]
    lines += [
        "",
        "| case | rps | p50 ms | p99 ms | errors | ratio | target | met? | notes |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in report["results"]:
        # Rounded down, so that a ratio shown as the target meets it.
        ratio = f"{math.floor(r.ratio * 100) / 100:.2f}" if r.ratio is not None else ""
        if r.ratio is not None and r.ratio_to and r.ratio_to != "bare":
            ratio += f" (of {r.ratio_to})"
        conns = (
            f" [{r.connections} conns]"
            if r.connections and r.connections != args.connections
            else ""
        )
        p = (f"{r.p50:.1f}", f"{r.p99:.1f}") if r.p50 else ("", "")
        lines.append(
            f"| {r.name}{conns} | {r.rps:.1f} | {p[0]} | {p[1]} | {r.errors} | {ratio} | "
            f"{r.target} | {_yes(r.met)} | {r.note} |"
        )
    export = report.get("export")
    if export:
        took = (
            f"stopped after {export['seconds']:.0f} s with {export['rows']:,} rows written: "
            f"{export['estimate_s']:.0f} s for all at that rate"
            if export["stopped"]
            else f"{export['seconds']:.1f} s"
        )
        finished = not export["stopped"] and export["ok"]
        lines.append(
            f"| export_donations, {export['expected']:,} rows | {export['rows_per_s']:,.0f} rows/s "
            f"| | | {0 if finished or export['stopped'] else 1} | | < 60 s, < 200 MB | "
            f"{_yes(finished and export['seconds'] < 60 and export['peak_mb'] < 200)} | "
            f"{took}, peak RSS {export['peak_mb']:.0f} MB |"
        )
    mem = report.get("memory", {})
    web = mem.get("web", {})
    if web.get("children"):
        worst = max(c.get("VmRSS", 0) for c in web["children"])
        hwm = max(c.get("VmHWM", 0) for c in web["children"])
        lines.append(
            f"| gunicorn worker memory after the run | | | | | | < 150 MB | {_yes(hwm < 150)} | "
            f"largest of {len(web['children'])} workers: RSS {worst:.0f} MB, peak {hwm:.0f} MB "
            + (
                "(recycling off for the run) |"
                if args.gunicorn_max_requests == "0"
                else "(workers recycle after max_requests: peak since the worker started) |"
            )
        )
    worker = mem.get("worker", {})
    if worker:
        rss = [worker.get("master", {}), *worker.get("children", [])]
        total = sum(c.get("VmRSS", 0) for c in rss)
        hwm = max((c.get("VmHWM", 0) for c in rss), default=0)
        lines.append(
            f"| Celery worker memory after the run | | | | | | < 200 MB | {_yes(hwm < 200)} | "
            f"{len(rss)} processes: largest peak {hwm:.0f} MB, together {total:.0f} MB RSS |"
        )
    lines += ["", "Checks:", ""]
    for name, (ok, detail) in report["checks"].items():
        lines.append(f"- {name}: {'ok' if ok else '**FAILED**'} ({detail})")
    for note in report["notes"]:
        lines.append(f"- {note}")
    seed = report.get("seed", {})
    if seed:
        lines += [
            "",
            "Seeded: "
            + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in seed["counts"].items())
            + ".",
        ]
    lines += ["", "Phases: " + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + "."]
    if seed:
        lines.append(
            "Seeding: " + ", ".join(f"{k} {v:.0f} s" for k, v in seed["timings"].items()) + "."
        )
    section = "\n".join(lines) + "\n"

    path = Path(args.results)
    header = "# Benchmark results\n\nNewest first; `make bench` adds a section on top (bench/README.md explains the cases).\n"  # noqa: E501
    old = path.read_text() if path.exists() else ""
    if old.startswith("# Benchmark results"):
        rest = old.split("\n## ", 1)
        old = ("## " + rest[1]) if len(rest) > 1 else ""
    path.write_text(header + "\n" + section + ("\n" + old if old else ""))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
