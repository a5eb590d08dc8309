import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory

# No per-example deadline: a busy CI machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("krogiving", deadline=None, print_blob=True)
hypothesis_settings.load_profile("krogiving")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Every test starts with an empty cache (OTP codes, throttles, lockouts)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """`transaction=True` tests flush what the data migrations seeded; put it back."""
    if request.node.get_closest_marker("django_db"):
        from apps.campaigns.reference import seed_categories
        from apps.currency.reference import seed_currencies
        from apps.platform_settings.defaults import seed_platform_settings

        seed_currencies()
        seed_platform_settings()
        seed_categories()


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
