"""The benchmark's settings: production's, plus the benchmark-only URLconf (bench/urls.py).

Used only by `make bench` (bench/run.py sets DJANGO_SETTINGS_MODULE=bench.settings for the
gunicorn and Celery processes it starts, with DJANGO_ENV=production and what production
requires in the environment). Nothing outside bench/ imports it.
"""

import os

from krogiving.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Email goes through the real provider backend (anymail's SendGrid), to the fake on
# loopback (bench/fake_paystack.py answers /sendgrid/v3/mail/send too).
_FAKE = os.environ.get("PAYSTACK_BASE_URL", "http://127.0.0.1:18090").rstrip("/")
ANYMAIL["SENDGRID_API_URL"] = f"{_FAKE}/sendgrid/v3/"  # noqa: F405
