"""Settings for the test suite: the real PostgreSQL and Redis on this machine.

Each variable can still be overridden from the environment (CI on another host, say).
Provider keys are blanked so that a developer's `.env` never makes a test talk to a real
provider; a test that needs one sets it with the `settings` fixture.
"""

import os

os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/krogiving")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("CACHE_KEY_PREFIX", "krogiving-test")
# Never report the tests' errors anywhere (tests/ops install their own Sentry transport).
os.environ["SENTRY_DSN"] = os.environ["HIGHLIGHT_PROJECT_ID"] = ""

from krogiving.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
SENDGRID_API_KEY = MAILERSEND_API_TOKEN = ""
TERMII_API_KEY = TELNYX_AUTH_TOKEN = ""
EXCHANGE_RATES_URL = EXCHANGE_RATES_API_KEY = ""
PAYSTACK_SECRET_KEY = ""
LOG_DIR = ""
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405

# Parallel runs (pytest-xdist): pytest-django gives each worker its own database
# (test_<name>_gw0, ...); the cache gets its own key prefix per worker, and a `clear()`
# that deletes that prefix's keys only (not FLUSHDB), so that one worker's autouse
# cache.clear() never empties another's cache. See docs/testing.md.
# Each run gets its own token too (xdist's run id, else the process id), so that two
# runs on one machine (a developer's and CI's, two checkouts) never clear each other's.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())
if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405 (Redis configured)
    CACHES["default"]["KEY_PREFIX"] += f"-{_RUN}"  # noqa: F405
    if _XDIST_WORKER:
        CACHES["default"]["KEY_PREFIX"] += f"-{_XDIST_WORKER}"  # noqa: F405
    CACHES["default"]["OPTIONS"]["CLIENT_CLASS"] = "tests.cache.PrefixScopedClient"  # noqa: F405
