"""Organiser endpoints, and who may call each endpoint (owner, other user, anonymous, staff)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.campaigns.models import Campaign, Comment
from tests.factories import CampaignFactory

from .conftest import client_for, grant
from .factories import CommentFactory, ImageFactory

pytestmark = pytest.mark.django_db


def create_body(**overrides):
    return {
        "title": "Help Ada walk again",
        "story": "Ada needs surgery.",
        "goal_amount": 250_000_00,
        "currency": "NGN",
        "category": "medical",
        **overrides,
    }


# --- create ---------------------------------------------------------------------------


def test_create_answers_201_with_a_draft(owner_api, organizer):
    end = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = owner_api.post("/v1/campaigns", create_body(end_date=end), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["slug"] == "help-ada-walk-again"
    assert body["end_date"] == end
    assert body["editable_fields"] == sorted(
        ["title", "story", "goal_amount", "currency", "category", "end_date", "media"]
    )
    assert Campaign.objects.get(pk=body["id"]).organizer == organizer


@pytest.mark.parametrize(
    "field", ["status", "raised_amount", "donor_count", "slug", "organizer", "published_at"]
)
def test_read_only_fields_are_refused_by_name(owner_api, field):
    response = owner_api.post("/v1/campaigns", create_body(**{field: "x"}), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: ["This field is read-only."]}
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"goal_amount": "1000"}, "goal_amount", 400),
        ({"goal_amount": 10.5}, "goal_amount", 400),
        ({"goal_amount": 0}, "goal_amount", 400),
        ({"goal_amount": 10**19}, "goal_amount", 400),
        ({"currency": "XYZ"}, "currency", 400),
        ({"category": "nope"}, "category", 400),
        ({"category": "Not a slug!"}, "category", 400),
        ({"end_date": "2001-01-01"}, "end_date", 400),
        ({"end_date": "tomorrow"}, "end_date", 400),
        ({"title": ""}, "title", 400),
        ({"title": "x" * 151}, "title", 400),
        ({"colour": "red"}, "colour", 400),
    ],
)
def test_create_refuses_bad_input_naming_the_field(owner_api, overrides, field, status):
    response = owner_api.post("/v1/campaigns", create_body(**overrides), format="json")
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]


def test_create_needs_every_contract_field(owner_api):
    response = owner_api.post("/v1/campaigns", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "title",
        "story",
        "goal_amount",
        "currency",
        "category",
    }


def test_malformed_json_is_400(owner_api):
    response = owner_api.post("/v1/campaigns", "{oops", content_type="application/json")
    assert response.status_code == 400


# --- mine, update, submit, close --------------------------------------------------------


def test_mine_lists_own_campaigns_in_every_status(organizer, owner_api, other_user):
    for status in ["draft", "pending_review", "rejected", "active", "suspended"]:
        CampaignFactory(organizer=organizer, status=status)
    CampaignFactory(organizer=other_user, status="active")
    body = owner_api.get("/v1/campaigns/mine").json()
    assert body["count"] == 5
    assert {item["status"] for item in body["results"]} == {
        "draft",
        "pending_review",
        "rejected",
        "active",
        "suspended",
    }


def test_patch_changes_a_draft_and_its_slug(draft, owner_api):
    response = owner_api.patch(
        f"/v1/campaigns/{draft.pk}", {"title": "Help Ada run", "goal_amount": 100}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["slug"]) == ("Help Ada run", "help-ada-run")
    assert response.json()["goal_amount"] == 100


def test_patch_of_a_field_the_status_forbids_is_409_naming_it(active, owner_api):
    response = owner_api.patch(
        f"/v1/campaigns/{active.pk}", {"goal_amount": 1, "story": "New story"}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "field_not_editable"
    assert error["fields"] == {"goal_amount": ["Cannot be changed while the campaign is active."]}
    assert error["status"] == "active"
    active.refresh_from_db()
    assert active.story != "New story"  # all or nothing


def test_patch_refuses_never_writable_fields(draft, owner_api):
    for field, value in [("status", "active"), ("raised_amount", 10), ("slug", "x")]:
        response = owner_api.patch(f"/v1/campaigns/{draft.pk}", {field: value}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {field: ["This field is read-only."]}
    draft.refresh_from_db()
    assert (draft.status, draft.raised_amount) == ("draft", 0)


def test_put_needs_the_whole_campaign(draft, owner_api):
    partial = owner_api.put(f"/v1/campaigns/{draft.pk}", {"story": "x"}, format="json")
    assert partial.status_code == 400
    assert "end_date" in partial.json()["error"]["fields"]
    whole = owner_api.put(
        f"/v1/campaigns/{draft.pk}",
        create_body(title="Help Ada", end_date=None, currency="USD"),
        format="json",
    )
    assert whole.status_code == 200
    assert (whole.json()["currency"], whole.json()["end_date"]) == ("USD", None)


def test_put_on_an_active_campaign_accepts_unchanged_locked_fields(active, owner_api):
    response = owner_api.put(
        f"/v1/campaigns/{active.pk}",
        {
            "title": active.title,
            "story": "An update on the school roof.",
            "goal_amount": active.goal_amount,
            "currency": "NGN",
            "category": "medical",
            "end_date": active.end_date.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["story"] == "An update on the school roof."


def test_submit_answers_pending_review(draft, owner_api):
    response = owner_api.post(f"/v1/campaigns/{draft.pk}/submit")
    assert response.status_code == 200
    assert response.json()["status"] == "pending_review"


def test_submit_of_an_incomplete_campaign_lists_what_is_missing(organizer, owner_api):
    campaign = CampaignFactory(organizer=organizer, story="Too short")
    response = owner_api.post(f"/v1/campaigns/{campaign.pk}/submit")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "campaign_incomplete"
    assert set(error["fields"]) == {"story", "media"}


def test_submit_twice_is_409_with_the_status(draft, owner_api):
    owner_api.post(f"/v1/campaigns/{draft.pk}/submit")
    again = owner_api.post(f"/v1/campaigns/{draft.pk}/submit")
    assert again.status_code == 409
    assert "pending_review" in again.json()["error"]["message"]
    assert again.json()["error"]["status"] == "pending_review"


def test_close_an_active_campaign_then_not_again(active, owner_api):
    response = owner_api.post(f"/v1/campaigns/{active.pk}/close")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    again = owner_api.post(f"/v1/campaigns/{active.pk}/close")
    assert again.status_code == 409
    assert "closed" in again.json()["error"]["message"]


def test_a_non_uuid_id_is_404(owner_api):
    assert owner_api.patch("/v1/campaigns/not-an-id", {}, format="json").status_code == 404
    assert owner_api.post("/v1/campaigns/not-an-id/submit").status_code == 404


# --- permission matrix ------------------------------------------------------------------

WHO = ["anonymous", "other", "owner", "staff"]


@pytest.fixture
def world(organizer, other_user, reviewer):
    draft = CampaignFactory(organizer=organizer, title="A draft")
    ImageFactory(campaign=draft)
    active = CampaignFactory(organizer=organizer, title="Live one", status="active")
    comment = CommentFactory(campaign=active, author=organizer)
    hider = grant(reviewer, "campaigns.change_comment")
    return {
        "draft": draft,
        "active": active,
        "comment": comment,
        "clients": {
            "anonymous": client_for(None),
            "other": client_for(other_user),
            "owner": client_for(organizer),
            "staff": client_for(hider),
        },
    }


ENDPOINTS = {
    # name: (method, url template, body, expected status per caller)
    "list": (
        "get",
        "/v1/campaigns",
        None,
        {"anonymous": 200, "other": 200, "owner": 200, "staff": 200},
    ),
    "detail active": (
        "get",
        "/v1/campaigns/{active.slug}",
        None,
        {"anonymous": 200, "other": 200, "owner": 200, "staff": 200},
    ),
    "detail draft": (
        "get",
        "/v1/campaigns/{draft.slug}",
        None,
        # staff here hold a password-only token: no more sight than anyone (issue 13;
        # with the second factor they see it: test_staff_boundaries.py)
        {"anonymous": 404, "other": 404, "owner": 200, "staff": 404},
    ),
    "create": (
        "post",
        "/v1/campaigns",
        create_body(),
        {"anonymous": 401, "other": 201, "owner": 201, "staff": 201},
    ),
    "mine": (
        "get",
        "/v1/campaigns/mine",
        None,
        {"anonymous": 401, "other": 200, "owner": 200, "staff": 200},
    ),
    "patch": (
        "patch",
        "/v1/campaigns/{draft.pk}",
        {"story": "Edited"},
        {"anonymous": 401, "other": 404, "owner": 200, "staff": 404},
    ),
    "put": (
        "put",
        "/v1/campaigns/{draft.pk}",
        create_body(end_date=None),
        {"anonymous": 401, "other": 404, "owner": 200, "staff": 404},
    ),
    "submit": (
        "post",
        "/v1/campaigns/{draft.pk}/submit",
        None,
        {"anonymous": 401, "other": 404, "owner": 200, "staff": 404},
    ),
    "close": (
        "post",
        "/v1/campaigns/{active.pk}/close",
        None,
        {"anonymous": 401, "other": 404, "owner": 200, "staff": 404},
    ),
    "comments active": (
        "get",
        "/v1/campaigns/{active.slug}/comments",
        None,
        {"anonymous": 200, "other": 200, "owner": 200, "staff": 200},
    ),
    "comments draft": (
        "get",
        "/v1/campaigns/{draft.slug}/comments",
        None,
        # staff here hold a password-only token: no more sight than anyone (issue 13;
        # with the second factor they see it: test_staff_boundaries.py)
        {"anonymous": 404, "other": 404, "owner": 200, "staff": 404},
    ),
    "comment post": (
        "post",
        "/v1/campaigns/{active.slug}/comments",
        {"body": "Well done"},
        {"anonymous": 401, "other": 201, "owner": 201, "staff": 201},
    ),
    "comment delete": (  # the owner here is the comment's author
        "delete",
        "/v1/campaigns/{active.slug}/comments/{comment.pk}",
        None,
        {"anonymous": 401, "other": 404, "owner": 204, "staff": 404},
    ),
    "admin hide (token without second factor)": (
        "post",
        "/v1/admin/campaigns/comments/{comment.pk}/hide",
        {"reason": "Spam"},
        {"anonymous": 401, "other": 403, "owner": 403, "staff": 403},
    ),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_permission_matrix(world, endpoint, who):
    method, template, body, expected = ENDPOINTS[endpoint]
    url = template.format(**world)
    client = world["clients"][who]
    response = (
        getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    )
    assert response.status_code == expected[who], response.content
    if response.status_code >= 400:
        assert "error" in response.json()


def test_admin_hide_needs_a_second_factor_token_and_the_permission(world, reviewer, plain_staff):
    url = "/v1/admin/campaigns/comments/{}/hide".format(world["comment"].pk)
    without_permission = client_for(plain_staff, second_factor=True)
    assert without_permission.post(url, {"reason": "Spam"}, format="json").status_code == 403
    allowed = client_for(grant(reviewer, "campaigns.change_comment"), second_factor=True)
    response = allowed.post(url, {"reason": "Spam"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_hidden"] is True
    assert Comment.objects.get(pk=world["comment"].pk).hidden_by == reviewer
