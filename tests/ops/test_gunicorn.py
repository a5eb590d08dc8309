"""gunicorn with gunicorn.conf.py, as the Procfile starts it: one line per request with
the request id, a 4xx logged once (by django.request), and a clean exit on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, request_id: str) -> int:
    request = urllib.request.Request(url, headers={"X-Request-ID": request_id})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(not settings.CACHES["default"].get("LOCATION"), reason="needs Redis")
def test_gunicorn_logs_each_request_once_and_stops_on_sigterm(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "krogiving.settings",
        "DJANGO_ENV": "development",
        "DEBUG": "true",  # as `make run`: Django's own console handler is then active
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "SENTRY_DSN": "",
        "HIGHLIGHT_PROJECT_ID": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "krogiving.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert _get(f"{base}/healthz", "req-gunicorn-ok1") == 200
        assert _get(f"{base}/v1/nothing-here", "req-gunicorn-404") == 404
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    output = process.stdout.read() if process.stdout else ""

    ok_lines = [line for line in output.splitlines() if "req-gunicorn-ok1" in line]
    assert len(ok_lines) == 1, output
    assert '"GET /healthz HTTP/1.1" 200' in ok_lines[0]
    assert ok_lines[0].endswith("request_id=req-gunicorn-ok1")

    # Not the access line, nor Django's plain console copy: django.request's line only.
    not_found = [line for line in output.splitlines() if "/v1/nothing-here" in line]
    assert len(not_found) == 1, output
    record = json.loads(not_found[0])
    assert record["logger"] == "django.request"
    assert record["message"] == "Not Found: /v1/nothing-here"
    assert record["request_id"] == "req-gunicorn-404"
    assert "Handling signal: term" in output
