"""Since issue 15 round 2 a cached public answer is one cache round trip: the entry is
stored without its version, with the versions it was computed under inside, and a slug
is resolved through a per-process memo checked against the slug version. These tests
pin what a user would notice if that went wrong: a stale answer after a change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.campaigns.cache import campaign_cache_invalidate
from apps.campaigns.models import Campaign, CampaignSlug
from apps.campaigns.services import campaign_slugs_repair
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_a_slug_the_repair_moves_shows_its_new_campaign_at_once(
    organizer, anon_api, django_capture_on_commit_callbacks
):
    previous = CampaignFactory(
        organizer=organizer, title="Previous owner", slug="previous-owner", status="active"
    )
    taker = CampaignFactory(organizer=organizer, title="Taker", slug="shared", status="active")
    CampaignSlug.objects.filter(campaign=taker).delete()
    CampaignSlug.objects.create(slug="shared", campaign=previous)

    # The history says "shared" is the previous owner's: read (and cached) as such.
    for _ in range(2):
        assert anon_api.get("/v1/campaigns/shared").json()["title"] == "Previous owner"
        assert anon_api.get("/v1/campaigns/shared/comments").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        campaign_slugs_repair()

    assert anon_api.get("/v1/campaigns/shared").json()["title"] == "Taker"
    assert anon_api.get("/v1/campaigns/previous-owner").json()["title"] == "Previous owner"


def test_a_change_after_a_cached_read_shows_at_once_and_is_cached_again(
    organizer, anon_api, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organizer=organizer, title="Clean water", status="active")
    path = f"/v1/campaigns/{campaign.slug}"
    first = anon_api.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert anon_api.get(path).content == first.content
    assert len(queries) == 0

    with django_capture_on_commit_callbacks(execute=True):
        Campaign.objects.filter(pk=campaign.pk).update(title="Clean water for Oyo")
        campaign_cache_invalidate(campaign.pk)

    assert anon_api.get(path).json()["title"] == "Clean water for Oyo"
    with CaptureQueriesContext(connection) as queries:
        assert anon_api.get(path).json()["title"] == "Clean water for Oyo"
    assert len(queries) == 0


def test_a_list_page_changes_with_the_list_version(
    organizer, anon_api, django_capture_on_commit_callbacks
):
    CampaignFactory(organizer=organizer, title="First", status="active")
    assert anon_api.get("/v1/campaigns").json()["count"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        second = CampaignFactory(organizer=organizer, title="Second", status="active")
        campaign_cache_invalidate(second.pk)
    page = anon_api.get("/v1/campaigns")
    assert page["Content-Type"] == "application/json"
    assert page.json()["count"] == 2
