"""Comments: public list, posting (plain text, throttled), deleting, hiding."""

import pytest

from apps.campaigns.models import Comment
from apps.campaigns.services import comment_hide
from tests.factories import CampaignFactory, UserFactory

from .conftest import client_for, grant
from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def url(campaign):
    return f"/v1/campaigns/{campaign.slug}/comments"


def test_the_list_is_newest_first_without_hidden_ones(active, anon_api, reviewer):
    author = UserFactory(first_name="Ngozi", last_name="Eze", email="ngozi@example.com")
    first = CommentFactory(campaign=active, author=author, body="First!")
    hidden = CommentFactory(campaign=active, author=author, body="Buy cheap watches")
    last = CommentFactory(campaign=active, author=author, body="Sending love")
    comment_hide(comment=hidden, actor=grant(reviewer, "campaigns.change_comment"), reason="Spam")

    response = anon_api.get(url(active))
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [c["id"] for c in body["results"]] == [str(last.pk), str(first.pk)]
    assert body["results"][0]["author"] == {"name": "Ngozi Eze"}
    assert "ngozi@example.com" not in response.content.decode()


def test_comments_on_an_old_slug_resolve(organizer, anon_api):
    from apps.campaigns.models import CampaignSlug

    campaign = CampaignFactory(organizer=organizer, status="active", slug="new-slug")
    CampaignSlug.objects.create(slug="old-slug", campaign=campaign)
    CommentFactory(campaign=campaign)
    assert anon_api.get("/v1/campaigns/old-slug/comments").json()["count"] == 1


def test_posting_stores_and_returns_plain_text(active, other_api):
    body = '<script>alert("x")</script> & <b>bold</b>'
    response = other_api.post(url(active), {"body": f"  {body}\n"}, format="json")
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["body"] == body  # not escaped, not rendered: stripped only
    assert Comment.objects.get().body == body
    listed = client_for(None).get(url(active))
    assert listed["Content-Type"] == "application/json"
    assert listed.json()["results"][0]["body"] == body


@pytest.mark.parametrize(
    ("text", "ok"),
    [("a", True), ("x" * 2000, True), ("   ", False), ("", False), ("x" * 2001, False)],
)
def test_body_length_is_1_to_2000_after_stripping(active, other_api, text, ok):
    response = other_api.post(url(active), {"body": text}, format="json")
    if ok:
        assert response.status_code == 201
    else:
        assert response.status_code == 400
        assert "body" in response.json()["error"]["fields"]


def test_unknown_fields_are_refused(active, other_api):
    response = other_api.post(url(active), {"body": "hi", "is_hidden": True}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_hidden": ["Unknown field."]}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", 201),
        ("ended", 201),
        ("closed", 409),
        ("draft", 409),
        ("pending_review", 409),
        ("rejected", 409),
        ("suspended", 409),
    ],
)
def test_comments_only_on_active_or_ended_campaigns(organizer, owner_api, status, expected):
    # the organiser can see the campaign in every status, so the refusal is the status
    campaign = CampaignFactory(organizer=organizer, status=status)
    response = owner_api.post(url(campaign), {"body": "Update from me"}, format="json")
    assert response.status_code == expected
    if expected == 409:
        assert response.json()["error"]["code"] == "comments_closed"
        assert status in response.json()["error"]["message"]


def test_posting_on_a_campaign_one_cannot_see_is_404(draft, other_api):
    assert other_api.post(url(draft), {"body": "hi"}, format="json").status_code == 404


def test_posting_is_throttled_per_user(active, other_api, organizer):
    for n in range(10):
        assert other_api.post(url(active), {"body": f"c{n}"}, format="json").status_code == 201
    refused = other_api.post(url(active), {"body": "one more"}, format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert Comment.objects.count() == 10
    # another user has their own allowance, and reading is not throttled
    assert client_for(organizer).post(url(active), {"body": "me"}, format="json").status_code == 201
    assert other_api.get(url(active)).status_code == 200


def test_delete_own_comment_only(active, other_user, organizer, reviewer):
    mine = CommentFactory(campaign=active, author=other_user)
    path = f"{url(active)}/{mine.pk}"
    assert client_for(organizer).delete(path).status_code == 404  # the campaign's owner
    assert client_for(reviewer).delete(path).status_code == 404  # staff hide, not delete
    assert client_for(None).delete(path).status_code == 401
    assert client_for(other_user).delete(path).status_code == 204
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert client_for(other_user).delete(path).status_code == 404


def test_delete_needs_the_right_campaign(active, other_user, organizer):
    elsewhere = CampaignFactory(organizer=organizer, status="active")
    mine = CommentFactory(campaign=active, author=other_user)
    response = client_for(other_user).delete(f"{url(elsewhere)}/{mine.pk}")
    assert response.status_code == 404
    assert Comment.objects.filter(pk=mine.pk).exists()


def test_staff_hide_through_the_admin_api(active, reviewer, anon_api):
    comment = CommentFactory(campaign=active, body="Offensive words")
    staff = client_for(grant(reviewer, "campaigns.change_comment"), second_factor=True)
    path = f"/v1/admin/campaigns/comments/{comment.pk}/hide"

    assert staff.post(path, {}, format="json").status_code == 400  # reason needed
    response = staff.post(path, {"reason": "Abusive"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["is_hidden"], body["hidden_reason"]) == (True, "Abusive")
    assert anon_api.get(url(active)).json()["count"] == 0
    # hiding again changes nothing
    again = staff.post(path, {"reason": "Twice"}, format="json")
    assert again.status_code == 200 and again.json()["hidden_reason"] == "Abusive"
    missing = staff.post(
        "/v1/admin/campaigns/comments/00000000-0000-0000-0000-000000000000/hide",
        {"reason": "x"},
        format="json",
    )
    assert missing.status_code == 404
