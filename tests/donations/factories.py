"""Factories for donation tests."""

import factory
from django.utils import timezone
from django.utils.text import slugify

from apps.campaigns.models import Campaign, CampaignSlug
from tests.factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    """An active campaign (currencies and categories are seeded), its slug in the history."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    organizer = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Donations campaign {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    story = "Help us build a borehole for the village school." * 3
    goal_amount = 100_000_000
    currency_id = "NGN"
    category_id = "medical"
    status = "active"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def slug_history(obj, create, extracted, **kwargs):
        if create and obj.slug:
            CampaignSlug.objects.get_or_create(slug=obj.slug, campaign=obj)
