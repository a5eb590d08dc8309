"""`.env.sample` copied to `.env` unchanged gives exactly the embedded default.

Each run loads krogiving/settings.py in a fresh interpreter with a clean environment:
once with no .env file at all, once with the sample as its .env (KROGIVING_ENV_FILE),
and compares every setting.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_DUMP = (
    "import json, krogiving.settings as s\n"
    "print(json.dumps({k: repr(getattr(s, k)) for k in dir(s) if k.isupper() "
    "and not k.startswith('_') and k != 'ENV_FILE'}, sort_keys=True))"
)


def _settings(env_file: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "KROGIVING_ENV_FILE": str(env_file)}
    env.update(extra or {})
    result = subprocess.run(
        [sys.executable, "-c", _DUMP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_sample_as_env_is_the_embedded_default(tmp_path):
    default = _settings(tmp_path / "no-such-file")
    sample = tmp_path / ".env"
    sample.write_text((ROOT / ".env.sample").read_text())
    loaded = _settings(sample)
    different = {k: (default.get(k), loaded.get(k)) for k in default.keys() | loaded.keys()}
    different = {k: v for k, v in different.items() if v[0] != v[1]}
    assert different == {}
    # The settings a wrong empty value used to break or change.
    for name in ("DEBUG", "SECRET_KEY", "DATABASES", "MEDIA_ROOT", "CELERY_TASK_ALWAYS_EAGER"):
        assert name in loaded
    # Persistent, health-checked connections by default (issue 15).
    assert "'CONN_MAX_AGE': 60" in loaded["DATABASES"]
    assert "'CONN_HEALTH_CHECKS': True" in loaded["DATABASES"]
    assert loaded["DEBUG"] == "True"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] == "True"


def test_every_line_of_the_sample_is_commented_out_or_a_default(tmp_path):
    """A line set to a non-default value would show in the comparison above; this one
    also names the variable: set alone, each sample line leaves the settings unchanged."""
    default = _settings(tmp_path / "no-such-file")
    lines = (ROOT / ".env.sample").read_text().splitlines()
    assigned = [line for line in lines if line and not line.startswith("#")]
    assert assigned, "the sample sets nothing?"
    combined = dict(line.split("=", 1) for line in assigned)
    # Set in the real environment (not the file), an empty value is NOT skipped: only the
    # file's empty lines mean "unset". Non-empty values must equal the defaults.
    non_empty = {k: v for k, v in combined.items() if v}
    assert _settings(tmp_path / "no-such-file", non_empty) == default


def test_the_documented_donation_max_amounts_format_is_read():
    from krogiving.envtools import parse_amounts

    assert parse_amounts("NGN=10000000000,USD=10000000") == {
        "NGN": 10_000_000_000,
        "USD": 10_000_000,
    }
    assert parse_amounts('{"ghs": 5}') == {"GHS": 5}
    assert parse_amounts("") == {}


def test_the_donor_returns_to_the_front_end_only_when_one_is_configured(tmp_path):
    """No FRONT_END_URL (the embedded default): no callback URL, so the offline sandbox
    shows its own result page instead of sending donors to a dead localhost:3000."""
    nothing = tmp_path / "no-such-file"
    assert _settings(nothing)["DONATION_CALLBACK_URL"] == "''"
    configured = _settings(nothing, {"FRONT_END_URL": "https://krogiving.com/"})
    assert configured["DONATION_CALLBACK_URL"] == "'https://krogiving.com/donations/{reference}'"
    assert configured["FRONT_END_URL"] == "'https://krogiving.com/'"
    explicit = _settings(
        nothing,
        {
            "FRONT_END_URL": "https://krogiving.com",
            "DONATION_CALLBACK_URL": "https://x.test/{reference}",
        },
    )
    assert explicit["DONATION_CALLBACK_URL"] == "'https://x.test/{reference}'"
