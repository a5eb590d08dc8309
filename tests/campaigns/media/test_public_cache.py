"""Media changes show on the cached public campaign page at once."""

import pytest
from rest_framework.test import APIClient

from apps.campaigns.models import CampaignStatus

from .conftest import make_campaign
from .files import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_an_upload_and_a_delete_show_on_the_cached_public_page(
    organiser, owner_api, django_capture_on_commit_callbacks
):
    campaign = make_campaign(organiser, status=CampaignStatus.ACTIVE)
    public = APIClient()
    before = public.get(f"/v1/campaigns/{campaign.slug}").json()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        created = owner_api.post(
            "/v1/file-upload",
            {
                "file": upload("a.png", png_bytes(), "image/png"),
                "campaign": str(campaign.id),
                "kind": "image",
            },
            format="multipart",
        )
    assert created.status_code == 201, created.content
    after_upload = public.get(f"/v1/campaigns/{campaign.slug}").json()
    assert len(after_upload["media"]) == len(before["media"]) + 1
    with django_capture_on_commit_callbacks(execute=True):
        deleted = owner_api.delete(f"/v1/file-upload/{created.json()['id']}")
    assert deleted.status_code == 204
    after_delete = public.get(f"/v1/campaigns/{campaign.slug}").json()
    assert len(after_delete["media"]) == len(before["media"])
