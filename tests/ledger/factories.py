import factory

from apps.campaigns.models import Campaign, CampaignStatus
from tests.factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    """An active campaign in NGN unless told otherwise (currencies and categories are seeded)."""

    class Meta:
        model = Campaign

    organizer = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Ledger campaign {n}")
    slug = factory.Sequence(lambda n: f"ledger-campaign-{n}")
    story = "Help us."
    goal_amount = 100_000_000
    currency_id = "NGN"
    category_id = "medical"
    status = CampaignStatus.ACTIVE
