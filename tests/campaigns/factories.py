"""Factories for campaign tests (importable by the media tests as well)."""

import io
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from apps.campaigns.models import (
    Campaign,
    CampaignMedia,
    CampaignSlug,
    CampaignStatus,
    Comment,
    MediaKind,
    MediaStatus,
)
from tests.factories import UserFactory

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


class ImageFactory(factory.django.DjangoModelFactory):
    """A READY image whose file is a real PNG saved through the storage."""

    class Meta:
        model = CampaignMedia

    campaign = factory.SubFactory(CampaignFactory)
    kind = MediaKind.IMAGE
    status = MediaStatus.READY
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="photo.png"))
    content_type = "image/png"
    size = factory.LazyAttribute(lambda o: o.file.size)
    width = 4
    height = 3
    position = 0
    is_cover = False


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    campaign = factory.SubFactory(CampaignFactory, status=CampaignStatus.ACTIVE)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Praying for you, comment {n}")
