"""GET /v1/categories, and an unknown category wherever a category slug is accepted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.campaigns.models import Category
from apps.campaigns.reference import CATEGORIES
from apps.campaigns.services import campaign_approve, campaign_submit, campaign_suspend
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SLUGS = [slug for slug, _ in CATEGORIES]


def counts(client) -> dict[str, int]:
    response = client.get("/v1/categories")
    assert response.status_code == 200, response.content
    return {row["slug"]: row["campaign_count"] for row in response.json()}


def test_every_category_is_listed_with_its_public_campaigns_counted(anon_api, organizer):
    for status in ("active", "active", "draft", "pending_review", "rejected", "suspended"):
        CampaignFactory(organizer=organizer, category_id="medical", status=status)
    CampaignFactory(organizer=organizer, category_id="education", status="active")

    response = anon_api.get("/v1/categories")

    assert response.status_code == 200
    body = response.json()
    assert [row["slug"] for row in body] == SLUGS  # in the categories' display order
    assert body[0] == {"slug": "medical", "name": "Medical", "campaign_count": 2}
    assert counts(anon_api) == {slug: {"medical": 2, "education": 1}.get(slug, 0) for slug in SLUGS}
    # the same campaigns the public list shows
    listed = anon_api.get("/v1/campaigns", {"category": "medical"}).json()["count"]
    assert listed == 2


def test_the_cached_count_follows_every_change(
    anon_api, organizer, reviewer, draft, django_capture_on_commit_callbacks
):
    assert counts(anon_api)["medical"] == 0
    with CaptureQueriesContext(connection) as queries:
        counts(anon_api)
    assert len(queries) == 0  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        campaign_submit(campaign=draft, actor=organizer)
    assert counts(anon_api)["medical"] == 0  # under review is not public
    with django_capture_on_commit_callbacks(execute=True):
        campaign_approve(campaign=draft, actor=reviewer)
    assert counts(anon_api)["medical"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        campaign_suspend(campaign=draft, actor=reviewer, reason="Checking the documents.")
    assert counts(anon_api)["medical"] == 0


def test_a_renamed_or_new_category_shows_at_once(anon_api, django_capture_on_commit_callbacks):
    assert anon_api.get("/v1/categories").json()[0]["name"] == "Medical"
    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.get(pk="medical")
        category.name = "Health"
        category.save()
        Category.objects.create(slug="sports", name="Sports", position=99)

    body = anon_api.get("/v1/categories").json()
    assert body[0]["name"] == "Health"
    assert body[-1] == {"slug": "sports", "name": "Sports", "campaign_count": 0}


def assert_unknown_category(response, value: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "unknown_category"
    assert error["valid"] == SLUGS
    assert error["message"] == (
        f"category: Unknown category {value!r}; use one of: {', '.join(SLUGS)}."
    )
    assert "category" in error["fields"]


def test_an_unknown_category_filter_lists_the_valid_slugs(anon_api):
    assert_unknown_category(anon_api.get("/v1/campaigns", {"category": "sport"}), "sport")


@pytest.mark.parametrize("value", ["sport", "Health & Care", ""])
def test_creating_a_campaign_in_an_unknown_category_lists_the_valid_slugs(owner_api, value):
    response = owner_api.post(
        "/v1/campaigns",
        {
            "title": "Help Ada walk again",
            "story": "A story.",
            "goal_amount": 500_000,
            "currency": "NGN",
            "category": value,
        },
        format="json",
    )
    if value == "":
        # a blank is a missing value, said as such
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_error"
        return
    assert_unknown_category(response, value)


def test_moving_a_campaign_to_an_unknown_category_lists_the_valid_slugs(owner_api, draft):
    response = owner_api.patch(f"/v1/campaigns/{draft.pk}", {"category": "sport"}, format="json")

    assert_unknown_category(response, "sport")
    draft.refresh_from_db()
    assert draft.category_id == "medical"


def test_the_category_list_refuses_query_parameters_by_name(anon_api):
    response = anon_api.get("/v1/categories", {"status": "active"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter"
    assert error["fields"] == {"status": ["Unknown query parameter."]}
    assert "accepts: none" in error["message"]
