"""The Django admin: lists with filters, and actions that go through the services."""

import pytest

from apps.campaigns.models import Comment
from tests.factories import CampaignFactory, StaffFactory
from tests.staff import console_client

from .conftest import grant
from .factories import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/campaigns/campaign/"


@pytest.fixture
def console(reviewer):
    return console_client(
        grant(
            reviewer,
            "campaigns.view_campaign",
            "campaigns.view_comment",
            "campaigns.change_comment",
        )
    )


def act(console, action, objects, reason="", url=CHANGELIST):
    return console.post(
        url,
        {"action": action, "_selected_action": [str(o.pk) for o in objects], "reason": reason},
        follow=True,
    )


def test_the_list_filters_and_searches(console, organizer):
    CampaignFactory(organizer=organizer, title="Clean water for Ikot", status="active")
    CampaignFactory(organizer=organizer, title="School roof", status="draft", currency_id="USD")
    for query in [
        {"status__exact": "active"},
        {"currency__code__exact": "USD"},
        {"category__slug__exact": "medical"},
        {"q": "water"},
    ]:
        assert console.get(CHANGELIST, query).status_code == 200
    assert b"Clean water for Ikot" in console.get(CHANGELIST, {"q": "ikot"}).content
    assert b"School roof" not in console.get(CHANGELIST, {"q": "ikot"}).content


def test_money_fields_are_read_only(console, organizer):
    campaign = CampaignFactory(organizer=organizer, status="active")
    page = console.get(f"{CHANGELIST}{campaign.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    for field in ("raised_amount", "donor_count", "goal_amount", "status", "slug"):
        assert field not in form.fields


def test_approve_and_reject_actions_call_the_services(
    console, organizer, django_capture_on_commit_callbacks
):
    to_approve = CampaignFactory(organizer=organizer, status="pending_review")
    to_reject = CampaignFactory(organizer=organizer, status="pending_review")
    draft = CampaignFactory(organizer=organizer, status="draft")

    with django_capture_on_commit_callbacks(execute=True):
        response = act(console, "approve", [to_approve, draft])
    assert "Approved 1 item(s)." in response.content.decode()
    assert "Cannot approve a campaign that is draft." in response.content.decode()

    assert "Type the reason" in act(console, "reject", [to_reject]).content.decode()
    to_reject.refresh_from_db()
    assert to_reject.status == "pending_review"
    act(console, "reject", [to_reject], reason="Add the hospital estimate.")

    for campaign, status in [(to_approve, "active"), (to_reject, "rejected"), (draft, "draft")]:
        campaign.refresh_from_db()
        assert campaign.status == status
    assert to_approve.published_at is not None
    assert to_reject.rejection_reason == "Add the hospital estimate."


def test_suspend_and_unsuspend_actions(console, organizer):
    campaign = CampaignFactory(organizer=organizer, status="active")
    act(console, "suspend", [campaign], reason="Fraud report")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.suspension_reason) == ("suspended", "Fraud report")
    act(console, "unsuspend", [campaign])
    campaign.refresh_from_db()
    assert campaign.status == "active"


def test_review_actions_need_the_review_permission(organizer):
    viewer = grant(StaffFactory(email="viewer@krogiving.test"), "campaigns.view_campaign")
    campaign = CampaignFactory(organizer=organizer, status="pending_review")
    console = console_client(viewer)
    page = console.get(CHANGELIST)
    assert page.status_code == 200
    assert b'value="approve"' not in page.content
    act(console, "approve", [campaign])
    campaign.refresh_from_db()
    assert campaign.status == "pending_review"


def test_hide_comment_action(console):
    comment = CommentFactory()
    act(console, "hide", [comment], reason="Spam", url="/admin/campaigns/comment/")
    comment = Comment.objects.get(pk=comment.pk)
    assert (comment.is_hidden, comment.hidden_reason) == (True, "Spam")


def test_category_admin(console, reviewer):
    superuser = StaffFactory(email="root@krogiving.test", is_superuser=True)
    page = console_client(superuser).get("/admin/campaigns/category/")
    assert page.status_code == 200
    assert b"Medical" in page.content
