import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from apps.campaigns.models import Campaign, CampaignSlug, CampaignStatus

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


STORY = (
    "Ada is eight and has not walked since the accident. Surgery at the teaching hospital "
    "in Enugu, and six months of physiotherapy after it, will let her walk to school again."
)
PUBLISHED = {
    CampaignStatus.ACTIVE,
    CampaignStatus.ENDED,
    CampaignStatus.CLOSED,
    CampaignStatus.SUSPENDED,
}


def png_bytes(width: int = 4, height: int = 3, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign in any status, its slug recorded in the history like the service does."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    organizer = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Campaign number {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    story = STORY
    goal_amount = 5_000_000
    currency_id = "NGN"
    category_id = "medical"
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = CampaignStatus.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in PUBLISHED else None
    )

    @factory.post_generation
    def slug_history(obj, create, extracted, **kwargs):
        if create and obj.slug:
            CampaignSlug.objects.get_or_create(slug=obj.slug, campaign=obj)


class ActiveCampaignFactory(CampaignFactory):
    """A published campaign taking donations, with a goal large enough for any test."""

    goal_amount = 100_000_000
    status = CampaignStatus.ACTIVE
