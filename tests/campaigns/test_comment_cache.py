"""A public campaign's comment pages come from the cache, and every comment written,
deleted or hidden shows at once (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.campaigns.models import Campaign
from apps.campaigns.services import campaign_suspend, comment_hide
from tests.factories import UserFactory

from .conftest import client_for, grant
from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def url(campaign):
    return f"/v1/campaigns/{campaign.slug}/comments"


def bodies(client, campaign):
    return [c["body"] for c in client.get(url(campaign)).json()["results"]]


def test_a_cached_page_costs_no_query_and_says_the_same(active, anon_api):
    CommentFactory(campaign=active, body="First!")
    first = anon_api.get(url(active))
    with CaptureQueriesContext(connection) as queries:
        second = anon_api.get(url(active))
    assert len(queries) == 0
    assert second.status_code == 200 and second.content == first.content


def test_a_new_comment_shows_at_once(active, anon_api, django_capture_on_commit_callbacks):
    CommentFactory(campaign=active, body="First!")
    assert bodies(anon_api, active) == ["First!"]
    poster = client_for(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        assert poster.post(url(active), {"body": "Second"}, format="json").status_code == 201
    assert bodies(anon_api, active) == ["Second", "First!"]


def test_a_deleted_comment_goes_at_once(active, anon_api, django_capture_on_commit_callbacks):
    author = UserFactory()
    comment = CommentFactory(campaign=active, author=author, body="Oops")
    assert bodies(anon_api, active) == ["Oops"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(author).delete(f"{url(active)}/{comment.pk}")
    assert response.status_code == 204
    assert bodies(anon_api, active) == []


def test_a_hidden_comment_goes_at_once(
    active, anon_api, reviewer, django_capture_on_commit_callbacks
):
    spam = CommentFactory(campaign=active, body="Buy cheap watches")
    assert bodies(anon_api, active) == ["Buy cheap watches"]
    with django_capture_on_commit_callbacks(execute=True):
        comment_hide(comment=spam, actor=grant(reviewer, "campaigns.change_comment"), reason="x")
    assert bodies(anon_api, active) == []


def test_the_cache_is_dropped_only_after_the_commit(
    active, anon_api, django_capture_on_commit_callbacks
):
    assert bodies(anon_api, active) == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CommentFactory(campaign=active, body="Not yet")
        assert bodies(anon_api, active) == []  # not committed: the cached page still holds
    for callback in callbacks:
        callback()
    assert bodies(anon_api, active) == ["Not yet"]


def test_a_suspended_campaign_s_comments_disappear_at_once(
    active, anon_api, reviewer, django_capture_on_commit_callbacks
):
    CommentFactory(campaign=active, body="Hello")
    assert anon_api.get(url(active)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        campaign_suspend(
            campaign=active, actor=grant(reviewer, "campaigns.change_campaign"), reason="Fraud"
        )
    assert anon_api.get(url(active)).status_code == 404


def test_a_private_campaign_s_comments_are_never_cached(draft, owner_api, anon_api):
    CommentFactory(campaign=draft, body="Note to self")
    assert owner_api.get(url(draft)).status_code == 200
    assert anon_api.get(url(draft)).status_code == 404
    Campaign.objects.filter(pk=draft.pk).update(status="pending_review")
    assert anon_api.get(url(draft)).status_code == 404


def test_links_on_a_cached_page_carry_only_known_parameters(active, anon_api):
    for n in range(3):
        CommentFactory(campaign=active, body=f"Comment {n}")
    junk = anon_api.get(url(active) + "?page_size=2&utm=mine")
    assert junk.status_code == 400  # refused before any cache is read or written
    assert junk.json()["error"]["code"] == "unknown_parameter"
    first = anon_api.get(url(active) + "?page_size=2").json()
    assert "utm" not in first["next"] and "page_size=2" in first["next"]
    again = anon_api.get(url(active) + "?page_size=2").json()
    assert again == first
