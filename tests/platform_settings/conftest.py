import pytest
from django.db import connection

from apps.campaigns.models import Campaign, Category
from tests.factories import UserFactory


@pytest.fixture
def seeded(db):
    """Currencies and settings as the migrations seed them (a flushed database loses them)."""
    from apps.currency.reference import seed_currencies
    from apps.platform_settings.defaults import seed_platform_settings

    seed_currencies()
    seed_platform_settings()


@pytest.fixture
def make_campaign(seeded):
    def make(currency: str = "NGN", title: str = "School roof") -> Campaign:
        category, _ = Category.objects.get_or_create(slug="education", defaults={"name": "Edu"})
        organizer = UserFactory()
        count = Campaign.objects.count()
        return Campaign.objects.create(
            organizer=organizer,
            title=title,
            slug=f"campaign-{count}-{organizer.pk.hex[:8]}",
            goal_amount=1_000_000_00,
            currency_id=currency,
            category=category,
        )

    return make


@pytest.fixture
def close_connection():
    """For threads: closes the thread's own database connection when it ends."""

    def close():
        connection.close()

    return close
