import pytest

from tests.platform_settings.conftest import seeded  # noqa: F401 (a fixture)


@pytest.fixture
def jpy(request):
    """A currency without a minor unit."""
    request.getfixturevalue("seeded")
    from apps.currency.models import Currency

    return Currency.objects.create(
        code="JPY", name="Japanese yen", exponent=0, symbol="¥", minimum_donation=100
    )


@pytest.fixture
def kwd(request):
    """A currency with three decimal places."""
    request.getfixturevalue("seeded")
    from apps.currency.models import Currency

    return Currency.objects.create(
        code="KWD", name="Kuwaiti dinar", exponent=3, symbol="KD", minimum_donation=1_000
    )
