"""KROGiving settings.

Every value comes from the environment (django-environ); `.env.sample` lists each
variable. With nothing set the platform runs on its embedded default: SQLite, a
local-memory cache, eager Celery tasks, console email and SMS, files on local disk and
the offline Paystack sandbox. Setting DATABASE_URL, REDIS_URL and the provider keys
switches each part to the real service.

`DJANGO_ENV=production` turns on the production configuration, which refuses to start
without SECRET_KEY, DATABASE_URL, REDIS_URL and PAYSTACK_SECRET_KEY (so the offline
sandbox can never run there) and is hardened for `check --deploy`.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from krogiving.envtools import parse_amounts, parse_duration, parse_paystack_channels

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The .env file (KROGIVING_ENV_FILE names another; tests load `.env.sample` that way).
# Variables already in the environment win over the file.
ENV_FILE = Path(os.environ.get("KROGIVING_ENV_FILE") or BASE_DIR / ".env")
if ENV_FILE.is_file():
    _before = set(os.environ)
    environ.Env.read_env(ENV_FILE)
    # A line of the file that sets nothing (`DEBUG=`) means "not set": the setting
    # takes its embedded default instead of failing to parse "".
    for _name in set(os.environ) - _before:
        if os.environ[_name] == "":
            del os.environ[_name]

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
IS_PRODUCTION = DJANGO_ENV == "production"

if IS_PRODUCTION:
    _required = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PAYSTACK_SECRET_KEY")
    _missing = [name for name in _required if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            "The production configuration needs these environment variables: "
            + ", ".join(_missing)
            + " (see .env.sample)"
        )

# --- Core -----------------------------------------------------------------------------

SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-development-only-key-do-not-use-in-production-0123456789",
)
DEBUG = env.bool("DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The web front end. Unset or empty means there is none (the embedded default): links in
# emails then point at http://localhost:3000, and a donor is sent nowhere after paying
# (no DONATION_CALLBACK_URL below; the offline sandbox shows its own result page).
_front_end_url_env = env.str("FRONT_END_URL", default="")
FRONT_END_URL = _front_end_url_env or "http://localhost:3000"
# The address this API is reachable at, for links the API itself hands out.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # django.contrib.admin, with the staff console as its site (krogiving/console/).
    "krogiving.console.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # third party
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_celery_beat",
    "anymail",
    "axes",
    # ours
    "apps.core",
    "apps.users",
    "apps.otp",
    "apps.notifications",
    "apps.currency",
    "apps.fees",
    "apps.platform_settings",
    "apps.audit",
    "apps.ledger",
    "apps.payments",
    "apps.donations",
    "apps.campaigns",
    "apps.withdrawals",
    "apps.payouts",
    "apps.cms",
    # Last: wiring between apps that may not import each other (krogiving/wiring.py).
    "krogiving.apps.KrogivingConfig",
]
# The offline Paystack imitation: never installed in production (its models, URLs and
# tasks do not exist there), and even elsewhere it serves only while no key is set.
if not IS_PRODUCTION:
    INSTALLED_APPS.append("apps.paystack_sandbox")

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    # JSON, not the debug page, for an unknown /v1/ path (DEBUG on).
    "apps.core.middleware.ApiNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves the admin's and API docs' static files from gunicorn in production.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that a lockout answer replaces the view's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "krogiving.urls"
WSGI_APPLICATION = "krogiving.wsgi.application"
ASGI_APPLICATION = "krogiving.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (docs/decisions.md, issue 15): opening a PostgreSQL connection
# costs more than most of our requests; each web thread and Celery process keeps its own
# for CONN_MAX_AGE seconds, and CONN_HEALTH_CHECKS tests a reused one before its request
# (a server restart or an idle timeout costs a reconnect, never an error).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# Behind pgbouncer in transaction mode: a cursor held open across transactions (Django's
# `.iterator()` outside a transaction) would outlive its server connection, so turn
# server-side cursors off there (docs/decisions.md, issue 15: the path to pgbouncer).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets `make run` serve reads while a write is in flight.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (OTP codes, throttles, app cache) ------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="krogiving"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHE_TTL = env.int("TTL", default=300)

# --- Celery ---------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
# Graceful shutdown and lost workers (why: krogiving/celery.py). A task's message is
# acknowledged when the task ends, not when it starts; a worker process killed mid-task
# hands the message back; a worker reserves one message at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Broker connection lost: running late-ack tasks are cancelled (their messages come back)
# rather than finished by a worker that can no longer acknowledge them.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Redis: a message taken by a worker that vanished (SIGKILL, a lost machine) goes back to
# the queue after this many seconds. Longer than any task's time limit and any retry's
# countdown (both minutes), or a task still running or waiting would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # Queues are read in the order of CELERY_TASK_QUEUES: a worker takes the next
    # settlement before the next email (issue 15).
    "queue_order_strategy": "priority",
}
# Two queues, both consumed by every worker (no -Q needed): "celery" (payments,
# settlement, jobs) first, then "notifications" (emails, SMS, organiser notices), so a
# burst of receipts never delays the money behind it.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("notifications", routing_key="notifications"),
)
CELERY_TASK_ROUTES = {
    "notifications.deliver_notification": {"queue": "notifications"},
    "donations.send_organizer_notice": {"queue": "notifications"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# `runserver` with eager tasks (`make run`) runs the beat schedule itself, in a thread
# (apps/core/scheduler.py). Off: no scheduled job runs unless a beat does.
JOBS_IN_PROCESS = env.bool("JOBS_IN_PROCESS", default=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Auth -----------------------------------------------------------------------------

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out accounts and addresses before anything else.
    "axes.backends.AxesStandaloneBackend",
    "apps.users.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins: after AXES_FAILURE_LIMIT failures from one client address, or for one
# account from one address, further attempts are refused for AXES_COOLOFF_MINUTES.
# Never for the account alone (anyone could lock anyone out): there, after
# LOGIN_DELAY_AFTER_FAILURES failures from anywhere, each further attempt from an address
# the account never signed in from waits LOGIN_DELAY_BASE_SECONDS, doubling per failure
# up to LOGIN_DELAY_MAX_SECONDS (apps/users/lockout.py). Before all this the login
# endpoint is rate limited per address ("login" throttle below).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
LOGIN_DELAY_AFTER_FAILURES = env.int("LOGIN_DELAY_AFTER_FAILURES", default=5)
LOGIN_DELAY_BASE_SECONDS = env.int("LOGIN_DELAY_BASE_SECONDS", default=2)
LOGIN_DELAY_MAX_SECONDS = env.int("LOGIN_DELAY_MAX_SECONDS", default=60)
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=90)
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "apps.users.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "apps.users.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "apps.core.http.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "otp"]

ACCESS_TOKEN_MINUTES = env.int("ACCESS_TOKEN_MINUTES", default=15)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=ACCESS_TOKEN_MINUTES),
    "REFRESH_TOKEN_LIFETIME": parse_duration(env.str("EXPIRES_IN", default="7d")),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env.str("JWT_SECRET_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "USER_AUTHENTICATION_RULE": "apps.users.backends.user_can_authenticate",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="KROGiving")

# --- REST framework -------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.users.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "apps.core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="20/min"),
        "register": env.str("THROTTLE_REGISTER", default="10/hour"),
        "otp": env.str("THROTTLE_OTP", default="30/hour"),
        "otp_verify": env.str("THROTTLE_OTP_VERIFY", default="120/hour"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "KROGiving API",
    "DESCRIPTION": "Crowdfunding platform API. Amounts are integers in minor units.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/v1",
    # Request bodies get their own components (`...Request`): read-only fields are not
    # listed as input, and a file field is `format: binary` (a file picker in /v1/docs).
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; name each set so the schema is stable.
    "ENUM_NAME_OVERRIDES": {
        "CampaignStatusEnum": "apps.campaigns.models.CampaignStatus",
        "MediaStatusEnum": "apps.campaigns.models.MediaStatus",
        "DonationStatusEnum": "apps.donations.models.DonationStatus",
        "RefundStatusEnum": "apps.donations.models.RefundStatus",
        "WithdrawalStatusEnum": "apps.withdrawals.models.WithdrawalStatus",
    },
}

# --- One-time codes -------------------------------------------------------------------

OTP_CODE_TTL_SECONDS = env.int("OTP_CODE_TTL_SECONDS", default=600)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_RESEND_COOLDOWN_SECONDS = env.int("OTP_RESEND_COOLDOWN_SECONDS", default=60)
OTP_HOURLY_LIMIT_PER_DESTINATION = env.int("OTP_HOURLY_LIMIT_PER_DESTINATION", default=5)
OTP_HOURLY_LIMIT_PER_CLIENT = env.int("OTP_HOURLY_LIMIT_PER_CLIENT", default=20)
# Where codes may go by SMS: ISO country codes (NG) or calling codes (+234). The default
# is Nigeria and the platform's other markets (Ghana, Kenya, South Africa).
OTP_SMS_COUNTRIES = env.list("OTP_SMS_COUNTRIES", default=["NG", "GH", "KE", "ZA"])
# Codes the whole platform sends in one clock hour (SMS and email); past it, sends are
# refused and staff get an ALERT (log line, and an email at most once an hour).
OTP_GLOBAL_HOURLY_LIMIT = env.int("OTP_GLOBAL_HOURLY_LIMIT", default=1000)

# --- Email ----------------------------------------------------------------------------

SENDGRID_API_KEY = env.str("SENDGRID_API_KEY", default="")
MAILERSEND_API_TOKEN = env.str("MAILERSEND_API_TOKEN", default="")
SENDER_EMAIL = env.str("SENDER_EMAIL", default="no-reply@krogiving.local")
SENDER_NAME = env.str("SENDER_NAME", default="KROGiving")
DEFAULT_FROM_EMAIL = f"{SENDER_NAME} <{SENDER_EMAIL}>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {}
_DEV_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if SENDGRID_API_KEY:
    EMAIL_BACKEND = "anymail.backends.sendgrid.EmailBackend"
    ANYMAIL["SENDGRID_API_KEY"] = SENDGRID_API_KEY
elif MAILERSEND_API_TOKEN:
    EMAIL_BACKEND = "anymail.backends.mailersend.EmailBackend"
    ANYMAIL["MAILERSEND_API_TOKEN"] = MAILERSEND_API_TOKEN
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)
if IS_PRODUCTION and EMAIL_BACKEND in _DEV_EMAIL_BACKENDS:
    # The console backend would print one-time codes and reset links into the logs.
    raise ImproperlyConfigured(
        "The production configuration needs an email provider: set SENDGRID_API_KEY or "
        "MAILERSEND_API_TOKEN (or EMAIL_BACKEND to a real backend); see .env.sample"
    )
ANYMAIL["REQUESTS_TIMEOUT"] = (3.05, 20)
# Addresses that hear about platform events (campaigns waiting for review, ...).
STAFF_NOTIFICATION_EMAILS = env.list("STAFF_NOTIFICATION_EMAILS", default=[])
# Who hears that a nightly ledger_check or audit_verify failed; empty: every active
# superuser and member of the Superadmins group.
STAFF_ALERT_EMAILS = env.list("STAFF_ALERT_EMAILS", default=[])
# The re-send job enqueues a notification still unsent after this many minutes once more.
NOTIFICATION_RESEND_AFTER_MINUTES = env.int("NOTIFICATION_RESEND_AFTER_MINUTES", default=15)
# Sent notifications are deleted after this many days (unsent ones are kept).
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=90)

# --- SMS ------------------------------------------------------------------------------

TERMII_API_KEY = env.str("TERMII_API_KEY", default="")
TERMII_SENDER_ID = env.str("TERMII_SENDER_ID", default="KROGiving")
TERMII_BASE_URL = env.str("TERMII_BASE_URL", default="https://api.ng.termii.com")
TERMII_CHANNEL = env.str("TERMII_CHANNEL", default="generic")
TELNYX_AUTH_TOKEN = env.str("TELNYX_AUTH_TOKEN", default="")
TELNYX_FROM = env.str("TELNYX_FROM", default="")
TELNYX_BASE_URL = env.str("TELNYX_BASE_URL", default="https://api.telnyx.com")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)

# --- Paystack -------------------------------------------------------------------------

# Empty: the offline sandbox under /sandbox/ (never in production, which requires a key).
PAYSTACK_SECRET_KEY = env.str("PAYSTACK_SECRET_KEY", default="")
PAYSTACK_PUBLIC_KEY = env.str("PAYSTACK_PUBLIC_KEY", default="")
PAYSTACK_BASE_URL = env.str("PAYSTACK_BASE_URL", default="") or "https://api.paystack.co"
# Checkout channels per currency (docs/decisions.md): Paystack's channels in each market.
# A currency without an entry sends none, and Paystack offers what the dashboard enables.
PAYSTACK_CHANNELS = parse_paystack_channels(
    env.str(
        "PAYSTACK_CHANNELS",
        default=(
            "NGN=card|bank|ussd|qr|bank_transfer,GHS=card|mobile_money,"
            "KES=card|mobile_money,ZAR=card|eft,USD=card"
        ),
    )
)
PAYSTACK_TIMEOUT = (
    env.float("PAYSTACK_CONNECT_TIMEOUT", default=3.05),
    env.float("PAYSTACK_READ_TIMEOUT", default=15.0),
)
PAYSTACK_MAX_ATTEMPTS = env.int("PAYSTACK_MAX_ATTEMPTS", default=3)
PAYSTACK_RETRY_BACKOFF_SECONDS = env.float("PAYSTACK_RETRY_BACKOFF_SECONDS", default=0.5)
PAYSTACK_RETRY_AFTER_MAX_SECONDS = env.float("PAYSTACK_RETRY_AFTER_MAX_SECONDS", default=5.0)
PAYSTACK_DEADLINE_SECONDS = env.float("PAYSTACK_DEADLINE_SECONDS", default=25.0)
PAYSTACK_WEBHOOK_IP_ALLOWLIST = env.list("PAYSTACK_WEBHOOK_IP_ALLOWLIST", default=[])
PAYSTACK_SANDBOX_TRANSFER_OTP_SUFFIX = env.str("PAYSTACK_SANDBOX_TRANSFER_OTP_SUFFIX", default="")
PAYSTACK_SANDBOX_TRANSFER_FAIL_SUFFIX = env.str("PAYSTACK_SANDBOX_TRANSFER_FAIL_SUFFIX", default="")
PAYSTACK_SANDBOX_TRANSFER_REVERSE_SUFFIX = env.str(
    "PAYSTACK_SANDBOX_TRANSFER_REVERSE_SUFFIX", default=""
)

# --- Donations ------------------------------------------------------------------------

# The largest gift (and tip) one donation may carry, in minor units: per currency
# ("NGN=10000000000,USD=10000000"), else DONATION_MAX_AMOUNT.
DONATION_MAX_AMOUNT = env.int("DONATION_MAX_AMOUNT", default=10_000_000_000)
DONATION_MAX_AMOUNTS = parse_amounts(
    env.str(
        "DONATION_MAX_AMOUNTS",
        # NGN 100 million naira, USD 100,000 dollars.
        default="NGN=10000000000,USD=10000000,GHS=100000000,KES=1000000000,ZAR=100000000",
    )
)
# GET /v1/donations/verify/<ref> asks Paystack about a pending donation this long after
# it was initialized (and at most once per this period).
DONATION_VERIFY_GRACE_SECONDS = env.int("DONATION_VERIFY_GRACE_SECONDS", default=15)
# The reconciler settles or abandons donations still pending after this long.
DONATION_ABANDON_AFTER_MINUTES = env.int("DONATION_ABANDON_AFTER_MINUTES", default=60)
# Most settlements one transaction credits when many wait at once in a worker process
# (apps/donations/services/settlement.py, the combiner).
SETTLEMENT_BATCH_MAX = env.int("SETTLEMENT_BATCH_MAX", default=50)
# The organiser hears of new donations in ONE notice per campaign per this many seconds
# ("3 new donations, NGN 15,000"), not one email each; 0: a notice per settlement.
ORGANIZER_NOTICE_INTERVAL_SECONDS = env.int("ORGANIZER_NOTICE_INTERVAL_SECONDS", default=300)
# Where Paystack sends the donor after paying ("{reference}" is replaced; Paystack adds
# ?trxref=&reference=). Default FRONT_END_URL/donations/{reference} when FRONT_END_URL is
# set; empty: no callback_url is sent, so Paystack uses the dashboard's callback URL and
# the offline sandbox shows its own "payment received / failed" page.
DONATION_CALLBACK_URL = env.str(
    "DONATION_CALLBACK_URL",
    default=_front_end_url_env.rstrip("/") + "/donations/{reference}" if _front_end_url_env else "",
)
# POST /v1/donations/initialize per client address.
DONATION_INITIALIZE_THROTTLE = env.str("DONATION_INITIALIZE_THROTTLE", default="30/min")
# Payouts: an approved withdrawal whose transfer task never ran is sent by the reconciler
# after this long; a transfer Paystack has been quiet about is verified after this long.
PAYOUT_RESEND_AFTER_MINUTES = env.int("PAYOUT_RESEND_AFTER_MINUTES", default=10)
PAYOUT_VERIFY_AFTER_MINUTES = env.int("PAYOUT_VERIFY_AFTER_MINUTES", default=30)
# How long an Idempotency-Key and its stored answer are kept (every money-moving POST).
# DONATION_IDEMPOTENCY_TTL_HOURS is the older name, still read.
IDEMPOTENCY_TTL_HOURS = env.int(
    "IDEMPOTENCY_TTL_HOURS", default=env.int("DONATION_IDEMPOTENCY_TTL_HOURS", default=24)
)

# --- Exchange rates -------------------------------------------------------------------

# Latest-rates endpoint in the common {"base", "rates", "timestamp"|"date"} shape; empty
# means no automatic refresh (staff-entered rates only).
EXCHANGE_RATES_URL = env.str("EXCHANGE_RATES_URL", default="")
EXCHANGE_RATES_API_KEY = env.str("EXCHANGE_RATES_API_KEY", default="")
# Query parameter carrying the key: "access_key", or "app_id" for Open Exchange Rates.
EXCHANGE_RATES_API_KEY_PARAM = env.str("EXCHANGE_RATES_API_KEY_PARAM", default="access_key")
EXCHANGE_RATES_BASE = env.str("EXCHANGE_RATES_BASE", default="") or "USD"
EXCHANGE_RATES_TIMEOUT_SECONDS = env.float("EXCHANGE_RATES_TIMEOUT_SECONDS", default=10.0)

# --- CMS (apps/cms: a read-only proxy to Strapi) --------------------------------------

# Empty: GET /v1/cms/... serves the local pages in apps/cms/fixtures/ instead.
STRAPI_URL = env.str("STRAPI_URL", default="")
STRAPI_TOKEN = env.str("STRAPI_TOKEN", default="")
# The collections (Strapi's plural API ids) the proxy may read; any other is a 404.
STRAPI_COLLECTIONS = env.list("STRAPI_COLLECTIONS", default=["pages", "faqs", "posts"])
STRAPI_TIMEOUT_SECONDS = env.float("STRAPI_TIMEOUT_SECONDS", default=5.0)
# Fresh for STRAPI_CACHE_SECONDS; the copy is kept STRAPI_STALE_SECONDS to serve while
# Strapi is down or slow.
STRAPI_CACHE_SECONDS = env.int("STRAPI_CACHE_SECONDS", default=60)
STRAPI_STALE_SECONDS = env.int("STRAPI_STALE_SECONDS", default=7 * 24 * 3600)

# --- Files ----------------------------------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic puts the files (production serves them from here and refuses to
# start until they are collected: krogiving/checks.py).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production WhiteNoise serves straight from the apps' static folders (no
# collectstatic needed); in production from STATIC_ROOT, built into the image.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

SPACES_ACCESS_KEY_ID = env.str("SPACES_ACCESS_KEY_ID", default="")
SPACES_SECRET_ACCESS_KEY = env.str("SPACES_SECRET_ACCESS_KEY", default="")
SPACES_REGION = env.str("SPACES_REGION", default="")
SPACES_BUCKET_NAME = env.str("SPACES_BUCKET_NAME", default="")
SPACES_ENDPOINT = env.str("SPACES_ENDPOINT", default="")
SPACES_BUCKET_URL = env.str("SPACES_BUCKET_URL", default="")
# Without Spaces, uploads go to MEDIA_ROOT, which production does not serve (/media/ is
# a 404): production refuses to start so unless this allows it (krogiving/checks.py).
ALLOW_LOCAL_MEDIA_IN_PRODUCTION = env.bool("ALLOW_LOCAL_MEDIA_IN_PRODUCTION", default=False)

# Campaign media limits (apps/campaigns/media_inspection.py reads them at call time).
# 25 megapixels (docs/decisions.md): the platform shows at most 2560 px on the long side
# (about 5 MP); 25 MP is five times that, past every phone's default 12 MP and a 24 MP
# camera. A JPEG is judged at the reduced scale it is decoded at (a 48 MP phone photo
# decodes at 12 MP); PNG and WebP at full size. MEDIA_MAX_DECODE_BYTES bounds the pixel
# buffer of one decode (Pillow keeps RGB in 4 bytes a pixel): 25 MP x 4 bytes.
MEDIA_MAX_IMAGE_BYTES = env.int("MEDIA_MAX_IMAGE_BYTES", default=10 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = env.int("MEDIA_MAX_VIDEO_BYTES", default=200 * 1024 * 1024)
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=25_000_000)
MEDIA_MAX_DECODE_BYTES = env.int("MEDIA_MAX_DECODE_BYTES", default=100_000_000)
MEDIA_MAX_IMAGE_SIDE = env.int("MEDIA_MAX_IMAGE_SIDE", default=2560)
# Uploads (POST /v1/file-upload and /presign) per user, and media items per campaign.
MEDIA_UPLOAD_THROTTLE = env.str("MEDIA_UPLOAD_THROTTLE", default="30/hour")
MEDIA_MAX_PER_CAMPAIGN = env.int("MEDIA_MAX_PER_CAMPAIGN", default=20)
MEDIA_PRESIGN_EXPIRES_SECONDS = env.int("MEDIA_PRESIGN_EXPIRES_SECONDS", default=3600)

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if SPACES_ACCESS_KEY_ID and SPACES_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "access_key": SPACES_ACCESS_KEY_ID,
            "secret_key": SPACES_SECRET_ACCESS_KEY,
            "bucket_name": SPACES_BUCKET_NAME,
            "region_name": SPACES_REGION or None,
            "endpoint_url": SPACES_ENDPOINT or None,
            "default_acl": "public-read",
            "querystring_auth": False,
            "file_overwrite": False,
            "custom_domain": SPACES_BUCKET_URL.removeprefix("https://").removeprefix("http://")
            or None,
        },
    }

# --- Internationalisation -------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="NG")

# --- Security -------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Error tracking (krogiving/observability.py) --------------------------------------

# Sentry: errors of requests and Celery tasks and ERROR log lines, scrubbed of secrets,
# one-time codes and card data, tagged with the request id. Off while empty.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="") or DJANGO_ENV
# The deployed version (a git tag or sha); empty: none sent.
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
# Share of requests traced for performance (0.0-1.0); 0 sends errors only.
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
# Highlight (highlight.io): errors only, scrubbed likewise; needs the `highlight` extra
# (pip install 'krogiving[highlight]'). Off while empty.
HIGHLIGHT_PROJECT_ID = env.str("HIGHLIGHT_PROJECT_ID", default="")
# Highlight's OTLP endpoint; empty: Highlight's cloud (self-hosted Highlight sets its own).
HIGHLIGHT_OTLP_ENDPOINT = env.str("HIGHLIGHT_OTLP_ENDPOINT", default="")

# --- Logging --------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_DIR = env.str("LOG_DIR", default="")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "apps.core.logging.RequestIdFilter"},
        "access_once": {"()": "apps.core.logging.SkipLoggedErrorAccessLines"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" a console handler of its own (when DEBUG)
        # besides ours on the root: every 4xx/5xx would be logged twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Axes logs each attempt with the address; we log our own line instead.
        "axes": {"level": "WARNING"},
        # runserver's access lines, in the same JSON; a 4xx/5xx is left to django.request
        # (with the request id), so that it is logged once.
        "django.server": {
            "handlers": ["stdout"],
            "level": "INFO",
            "propagate": False,
            "filters": ["access_once"],
        },
    },
}
if LOG_DIR:
    Path(LOG_DIR).mkdir(parents=True, exist_ok=True)
    LOGGING["handlers"]["file"] = {
        "class": "logging.handlers.TimedRotatingFileHandler",
        "filename": str(Path(LOG_DIR) / "krogiving.log"),
        "when": "midnight",
        "backupCount": env.int("LOG_RETENTION_DAYS", default=14),
        "utc": True,
        "formatter": "json",
        "filters": ["request_id"],
    }
    LOGGING["root"]["handlers"].append("file")
    LOGGING["loggers"]["django.server"]["handlers"].append("file")

# Last, once the settings above are known: the web process and the Celery worker (which
# loads these settings) both report their errors.
if SENTRY_DSN:
    from krogiving.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
if HIGHLIGHT_PROJECT_ID:
    from krogiving.observability import init_highlight

    init_highlight(
        HIGHLIGHT_PROJECT_ID,
        environment=SENTRY_ENVIRONMENT,
        otlp_endpoint=HIGHLIGHT_OTLP_ENDPOINT,
    )
