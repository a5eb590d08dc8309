import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.hypothesis_profiles import load_profile
from tests.paystack import PAYSTACK_SECRET, PAYSTACK_URL

# HYPOTHESIS_PROFILE=thorough for the long run (tests/hypothesis_profiles.py).
load_profile()


@pytest.fixture(autouse=True)
def _clean_cache():
    """Every test starts with an empty cache (OTP codes, throttles, lockouts)."""
    cache.clear()
    yield
    cache.clear()


def _seed_reference_data() -> None:
    from apps.campaigns.reference import seed_categories
    from apps.currency.reference import seed_currencies
    from apps.platform_settings.defaults import seed_platform_settings

    seed_currencies()
    seed_platform_settings()
    seed_categories()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as the migrations leave it, reference data included.

    A database reused from an earlier run (`--reuse-db`) may have been emptied by that
    run's last `transaction=True` test; seeding here (it only adds what is missing) puts
    the reference data back once, before any test.
    """
    with django_db_blocker.unblock():
        _seed_reference_data()


_TRANSACTIONAL_FIXTURES = ("transactional_db", "live_server", "django_db_reset_sequences")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    ):
        return True
    return any(name in request.fixturenames for name in _TRANSACTIONAL_FIXTURES)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """`transaction=True` tests flush the tables after each test, the data the migrations
    seeded included: put it back for them. Other tests run inside a transaction that is
    rolled back, so the seeded rows are simply there."""
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")
        _seed_reference_data()


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    """Email goes through anymail's test backend (Django's test set-up would pick locmem)."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(phone="+2348031234567")


@pytest.fixture
def auth_api(user) -> APIClient:
    """An API client logged in as `user` with a real access token."""
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def paystack_settings(settings):
    """A real-looking Paystack key, the public API URL, no waiting between retries, and
    the donation settings the donation tests rely on (front end, grace, throttle)."""
    settings.PAYSTACK_SECRET_KEY = PAYSTACK_SECRET
    settings.PAYSTACK_BASE_URL = PAYSTACK_URL
    settings.PAYSTACK_CHANNELS = ["card", "bank", "ussd", "bank_transfer"]
    settings.PAYSTACK_RETRY_BACKOFF_SECONDS = 0
    settings.PAYSTACK_MAX_ATTEMPTS = 3
    settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST = []
    settings.FRONT_END_URL = "https://krogiving.test"
    settings.DONATION_CALLBACK_URL = "https://krogiving.test/donations/{reference}"
    settings.DONATION_VERIFY_GRACE_SECONDS = 15
    settings.DONATION_ABANDON_AFTER_MINUTES = 60
    settings.DONATION_INITIALIZE_THROTTLE = "1000/min"
    return settings
