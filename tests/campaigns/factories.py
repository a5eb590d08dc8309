"""Factories for campaign tests (importable by the media tests as well)."""

import factory
from django.core.files.base import ContentFile

from apps.campaigns.models import (
    CampaignMedia,
    CampaignStatus,
    Comment,
    MediaKind,
    MediaStatus,
)
from tests.factories import CampaignFactory, UserFactory, png_bytes


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
