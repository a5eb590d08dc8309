"""The production configuration: refuses to start half-configured, passes check --deploy."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from krogiving.envtools import parse_duration

ROOT = Path(__file__).resolve().parents[2]
# Production refuses to start without collected static files: a STATIC_ROOT that has
# collectstatic's manifest (written once by the autouse fixture below).
COLLECTED_STATIC = ROOT / "var" / "test-collected-static"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "p" * 20 + "-a-long-random-production-secret-key-9f8e7d6c5b4a",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/krogiving",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "ALLOWED_HOSTS": "api.krogiving.com",
    "PAYSTACK_SECRET_KEY": "sk_live_not_a_real_key",
    "MAILERSEND_API_TOKEN": "mlsn.not-a-real-token",
    "STATIC_ROOT": str(COLLECTED_STATIC),
    # Uploaded media in Spaces: production refuses local media (krogiving.E002).
    "SPACES_ACCESS_KEY_ID": "DO00NOTAREALKEY",
    "SPACES_SECRET_ACCESS_KEY": "not-a-real-secret",
    "SPACES_BUCKET_NAME": "krogiving-media",
    "SPACES_REGION": "fra1",
    "SPACES_ENDPOINT": "https://fra1.digitaloceanspaces.com",
}
# Variables of the caller's environment a subprocess must not inherit.
_OURS = ("DJANGO", "DATABASE", "REDIS", "SECRET", "PAYSTACK", "SENDGRID", "MAILERSEND")
_OURS += ("EMAIL_BACKEND", "STATIC_ROOT", "KROGIVING_ENV_FILE", "SPACES", "ALLOW_LOCAL_MEDIA")


@pytest.fixture(autouse=True, scope="module")
def _collected_static():
    COLLECTED_STATIC.mkdir(parents=True, exist_ok=True)
    (COLLECTED_STATIC / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "krogiving.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PAYSTACK_SECRET_KEY"]
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_to_start_without_an_email_provider():
    """Not the console backend: it would print one-time codes into the logs."""
    env = {k: v for k, v in PRODUCTION.items() if k != "MAILERSEND_API_TOKEN"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "email provider" in result.stderr
    console = {**env, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert _manage("check", env=console).returncode != 0
    sendgrid = {**env, "SENDGRID_API_KEY": "SG.not-a-real-key"}
    result = _manage("check", env=sendgrid)
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_collected_static_files(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "empty")}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "krogiving.E001" in result.stderr
    assert "collectstatic" in result.stderr
    # gunicorn loads the WSGI application: it refuses too.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    clean.update(env, DJANGO_SETTINGS_MODULE="krogiving.settings")
    loaded = subprocess.run(
        [sys.executable, "-c", "import krogiving.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode != 0
    assert "Static files are not collected" in loaded.stderr


def _load_wsgi(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    clean.update(env, DJANGO_SETTINGS_MODULE="krogiving.settings")
    return subprocess.run(
        [sys.executable, "-c", "import krogiving.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_with_media_on_local_disk():
    """Issue 13: nothing serves /media/ in production, so every upload would be a 404."""
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("SPACES_")}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "krogiving.E002" in result.stderr
    assert "ALLOW_LOCAL_MEDIA_IN_PRODUCTION" in result.stderr
    # gunicorn loads the WSGI application: it refuses too.
    loaded = _load_wsgi(env)
    assert loaded.returncode != 0
    assert "/media/ URLs would be 404" in loaded.stderr


def test_production_with_local_media_starts_when_explicitly_allowed():
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("SPACES_")}
    env["ALLOW_LOCAL_MEDIA_IN_PRODUCTION"] = "true"
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _load_wsgi(env).returncode == 0
    assert _load_wsgi(PRODUCTION).returncode == 0  # with Spaces


def test_development_default_needs_nothing():
    result = _manage("check", env={"DJANGO_ENV": "development"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("3600", timedelta(seconds=3600)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_expires_in_is_read_like_the_old_service(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7x", "-1d", "0", "d"])
def test_a_bad_expires_in_is_refused(text):
    with pytest.raises(ImproperlyConfigured):
        parse_duration(text)


def test_log_dir_gets_json_lines_in_a_daily_rotated_file(tmp_path):
    import json

    result = _manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('krogiving.probe').warning('probe line')",
        env={"DJANGO_ENV": "development", "LOG_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "krogiving.log").read_text().splitlines()
    record = json.loads(lines[-1])
    assert record["message"] == "probe line"
    assert record["level"] == "WARNING"
    assert "request_id" in record
    stdout_record = json.loads(result.stdout.strip().splitlines()[-1])
    assert stdout_record["message"] == "probe line"


def test_production_does_not_install_the_sandbox():
    """Production has no sandbox models, URLs or tasks at all, not merely switched off."""
    code = (
        "import django; django.setup(); from django.apps import apps; from django.urls import "
        "resolve, Resolver404\n"
        "assert not apps.is_installed('apps.paystack_sandbox')\n"
        "try:\n    resolve('/sandbox/paystack/bank')\nexcept Resolver404:\n    print('no sandbox')"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    clean.update(PRODUCTION, DJANGO_SETTINGS_MODULE="krogiving.settings")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no sandbox"
