"""The public list and detail come from the cache, and no change is ever served stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.campaigns.cache import campaign_cache_invalidate
from apps.campaigns.models import Campaign
from apps.campaigns.services import (
    campaign_approve,
    campaign_close,
    campaign_suspend,
    campaign_update,
)
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_a_cached_detail_is_served_without_touching_the_database(active, anon_api):
    url = f"/v1/campaigns/{active.slug}"
    first, first_queries = queries_for(anon_api, url)
    assert first.status_code == 200 and first_queries > 0
    second, second_queries = queries_for(anon_api, url)
    assert second.status_code == 200
    assert second_queries == 0
    assert second.json() == first.json()


def test_a_cached_list_page_is_served_without_touching_the_database(active, anon_api):
    url = "/v1/campaigns?category=medical&currency=NGN&ordering=most_funded"
    first, _ = queries_for(anon_api, url)
    second, second_queries = queries_for(anon_api, url)
    assert second_queries == 0
    assert second.json() == first.json() and first.json()["count"] == 1


def test_an_edit_is_visible_at_once(
    active, organizer, anon_api, django_capture_on_commit_callbacks
):
    url = f"/v1/campaigns/{active.slug}"
    assert anon_api.get(url).json()["story"] == active.story
    anon_api.get("/v1/campaigns")
    with django_capture_on_commit_callbacks(execute=True):
        campaign_update(campaign=active, actor=organizer, story="Week two: the roof is up.")
    assert anon_api.get(url).json()["story"] == "Week two: the roof is up."


def test_an_edit_through_the_api_is_visible_at_once(
    active, owner_api, anon_api, django_capture_on_commit_callbacks
):
    url = f"/v1/campaigns/{active.slug}"
    anon_api.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            owner_api.patch(
                f"/v1/campaigns/{active.pk}", {"story": "Fresh"}, format="json"
            ).status_code
            == 200
        )
    assert anon_api.get(url).json()["story"] == "Fresh"


def test_an_approval_shows_in_the_cached_list_at_once(
    organizer, reviewer, anon_api, django_capture_on_commit_callbacks
):
    CampaignFactory(organizer=organizer, status="active", title="Already live")
    pending = CampaignFactory(organizer=organizer, status="pending_review", title="Just approved")
    assert [c["title"] for c in anon_api.get("/v1/campaigns").json()["results"]] == ["Already live"]
    with django_capture_on_commit_callbacks(execute=True):
        campaign_approve(campaign=pending, actor=reviewer)
    titles = [c["title"] for c in anon_api.get("/v1/campaigns").json()["results"]]
    assert titles == ["Just approved", "Already live"]
    assert anon_api.get(f"/v1/campaigns/{pending.slug}").status_code == 200


def test_a_suspended_campaign_disappears_at_once(
    active, reviewer, anon_api, django_capture_on_commit_callbacks
):
    url = f"/v1/campaigns/{active.slug}"
    assert anon_api.get(url).status_code == 200
    assert anon_api.get("/v1/campaigns").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        campaign_suspend(campaign=active, actor=reviewer, reason="Reported")
    assert anon_api.get(url).status_code == 404
    assert anon_api.get("/v1/campaigns").json()["count"] == 0


def test_closing_shows_the_new_status_at_once(
    active, organizer, anon_api, django_capture_on_commit_callbacks
):
    url = f"/v1/campaigns/{active.slug}"
    anon_api.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_close(campaign=active, actor=organizer)
    assert anon_api.get(url).json()["status"] == "closed"


def test_raised_amount_changes_need_the_public_invalidation_hook(
    active, anon_api, django_capture_on_commit_callbacks
):
    url = f"/v1/campaigns/{active.slug}"
    list_url = "/v1/campaigns?ordering=most_funded"
    anon_api.get(url)
    anon_api.get(list_url)
    # What the donation settlement will do: change the row, then invalidate.
    Campaign.objects.filter(pk=active.pk).update(raised_amount=12_345, donor_count=2)
    assert anon_api.get(url).json()["raised_amount"] == 0  # cached until invalidated
    with django_capture_on_commit_callbacks(execute=True):
        campaign_cache_invalidate(active.pk)
    detail = anon_api.get(url).json()
    assert (detail["raised_amount"], detail["progress"]["donor_count"]) == (12_345, 2)
    assert anon_api.get(list_url).json()["results"][0]["raised_amount"] == 12_345


def test_invalidation_waits_for_the_commit(active, anon_api, django_capture_on_commit_callbacks):
    url = f"/v1/campaigns/{active.slug}"
    anon_api.get(url)
    Campaign.objects.filter(pk=active.pk).update(donor_count=7)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        campaign_cache_invalidate(active.pk)
        # not committed yet: readers still get the cached answer
        assert anon_api.get(url).json()["donor_count"] == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert anon_api.get(url).json()["donor_count"] == 7


def test_an_old_slug_is_cached_too_and_answers_the_current_slug(
    organizer, anon_api, django_capture_on_commit_callbacks
):
    from apps.campaigns.services import campaign_create

    campaign = campaign_create(
        organizer=organizer,
        title="Old name",
        story="",
        goal_amount=100,
        currency="NGN",
        category="medical",
    )
    campaign = campaign_update(campaign=campaign, actor=organizer, title="New name")
    Campaign.objects.filter(pk=campaign.pk).update(status="active")
    assert anon_api.get("/v1/campaigns/old-name").json()["slug"] == "new-name"
    response, count = queries_for(anon_api, "/v1/campaigns/old-name")
    assert count == 0 and response.json()["slug"] == "new-name"


def test_the_organiser_and_staff_never_get_the_cached_public_view(
    active, organizer, owner_api, staff_api, anon_api
):
    url = f"/v1/campaigns/{active.slug}"
    assert "rejection_reason" not in anon_api.get(url).json()  # now cached
    assert "rejection_reason" in owner_api.get(url).json()
    assert "editable_fields" in staff_api.get(url).json()
    # and what they saw was never cached for the public
    assert "rejection_reason" not in anon_api.get(url).json()


def test_a_private_campaign_is_never_cached(draft, owner_api, anon_api):
    url = f"/v1/campaigns/{draft.slug}"
    assert owner_api.get(url).status_code == 200
    assert anon_api.get(url).status_code == 404
    Campaign.objects.filter(pk=draft.pk).update(status="pending_review")
    assert owner_api.get(url).json()["status"] == "pending_review"
