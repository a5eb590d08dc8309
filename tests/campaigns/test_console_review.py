"""The campaigns console: the campaign's page (story, media, money, links), review steps
from the page and in bulk, the permission matrix, and no reviewer approving or rejecting
a campaign they organise (console and JSON admin API)."""

import pytest
from django.core.files.base import ContentFile

from apps.audit.models import AdminLog
from apps.campaigns.models import MediaKind, MediaStatus
from tests.factories import CampaignFactory, StaffFactory

from .conftest import client_for, grant
from .factories import ImageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/campaigns/campaign/"
REVIEWER_PERMISSIONS = (
    "campaigns.view_campaign",
    "campaigns.review_campaign",
    "campaigns.change_campaign",
    "campaigns.view_comment",
    "campaigns.change_comment",
)


def page(campaign) -> str:
    return f"{CHANGELIST}{campaign.pk}/change/"


def step(campaign, action: str) -> str:
    return f"{CHANGELIST}{campaign.pk}/review/{action}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def reviewer_member(db):
    return grant(StaffFactory(email="rita@krogiving.test"), *REVIEWER_PERMISSIONS)


@pytest.fixture
def console(reviewer_member):
    from tests.staff import console_client

    return console_client(reviewer_member)


@pytest.fixture
def pending(organizer):
    campaign = CampaignFactory(
        organizer=organizer,
        title="Dialysis for Mama Ngozi",
        status="pending_review",
        goal_amount=500_000_000,
        story="She needs dialysis twice a week.\n\nEvery naira counts." + " More." * 20,
    )
    ImageFactory(campaign=campaign, is_cover=True)
    return campaign


def test_the_campaign_page_shows_story_media_money_and_links(pending, organizer):
    from tests.staff import console_client

    video = ImageFactory(
        campaign=pending,
        kind=MediaKind.VIDEO,
        content_type="video/mp4",
        file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="clip.mp4"),
        position=1,
    )
    ImageFactory(campaign=pending, status=MediaStatus.PENDING, position=2)
    superuser = StaffFactory(email="root@krogiving.test", is_superuser=True)
    response = console_client(superuser).get(page(pending))
    assert response.status_code == 200
    html = response.content.decode()
    assert "She needs dialysis twice a week." in html and "Every naira counts." in html
    assert html.count('class="campaign-media-thumb"') == 1  # the ready image only
    assert f'href="{video.file.url}"' in html and ">video</a>" in html
    assert "image (pending)" in html
    assert "₦5,000,000.00" in html and "500000000" not in html
    assert f"/admin/donations/donation/?campaign__id__exact={pending.pk}" in html
    assert f"/admin/withdrawals/withdrawal/?campaign__id__exact={pending.pk}" in html
    assert step(pending, "approve") in html and step(pending, "reject") in html
    assert step(pending, "suspend") not in html  # only an active campaign is suspended
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    for url in (
        f"/admin/donations/donation/?campaign__id__exact={pending.pk}",
        f"/admin/withdrawals/withdrawal/?campaign__id__exact={pending.pk}",
    ):
        assert console_client(superuser).get(url).status_code == 200


def test_the_list_shows_money_formatted_and_filters(console, pending, organizer):
    CampaignFactory(
        organizer=organizer,
        title="Roof in dollars",
        currency_id="USD",
        goal_amount=12_050,
        status="active",
    )
    html = console.get(CHANGELIST).content.decode()
    assert "₦5,000,000.00" in html and "$120.50" in html
    for query, shown, hidden in [
        ({"status__exact": "pending_review"}, "Dialysis", "Roof in dollars"),
        ({"currency__code__exact": "USD"}, "Roof in dollars", "Dialysis"),
        ({"category__slug__exact": "medical"}, "Dialysis", "zzz-nothing"),
    ]:
        html = console.get(CHANGELIST, query).content.decode()
        assert shown in html and hidden not in html


def test_approve_from_the_campaign_page_is_audited(console, pending, reviewer_member):
    form = console.get(step(pending, "approve"))
    assert form.status_code == 200
    assert 'value="Approve"' in form.content.decode()
    response = console.post(step(pending, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == page(pending)
    assert f"Approved: {pending.title}." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == "active" and pending.published_at is not None
    log = AdminLog.objects.get(action="campaign.approve", target_id=str(pending.pk))
    assert log.actor == reviewer_member
    assert (log.before, log.after) == ({"status": "pending_review"}, {"status": "active"})


def test_reject_from_the_page_needs_a_reason(console, pending, reviewer_member):
    response = console.post(step(pending, "reject"), {"reason": "  "})
    assert response.status_code == 200
    assert "A reason is needed." in response.content.decode()
    assert 'name="reason"' in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending_review"
    assert not AdminLog.objects.filter(action="campaign.reject").exists()

    console.post(step(pending, "reject"), {"reason": "Add the hospital's estimate."})
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == (
        "rejected",
        "Add the hospital's estimate.",
    )
    log = AdminLog.objects.get(action="campaign.reject")
    assert log.actor == reviewer_member
    assert log.after == {"status": "rejected", "reason": "Add the hospital's estimate."}


def test_a_service_refusal_is_shown_as_a_message(console, organizer):
    active = CampaignFactory(organizer=organizer, status="active")
    response = console.post(step(active, "approve"), follow=True)
    assert "Cannot approve a campaign that is active." in messages_of(response)
    active.refresh_from_db()
    assert active.status == "active"


def test_suspend_and_reinstate_from_the_page(console, organizer, reviewer_member):
    active = CampaignFactory(organizer=organizer, status="active")
    assert step(active, "suspend") in console.get(page(active)).content.decode()
    assert console.post(step(active, "suspend"), {"reason": ""}).status_code == 200
    active.refresh_from_db()
    assert active.status == "active"
    console.post(step(active, "suspend"), {"reason": "Fraud report from a donor"})
    active.refresh_from_db()
    assert (active.status, active.suspension_reason) == ("suspended", "Fraud report from a donor")
    assert step(active, "reinstate") in console.get(page(active)).content.decode()
    console.post(step(active, "reinstate"))
    active.refresh_from_db()
    assert active.status == "active"
    actions = list(
        AdminLog.objects.filter(target_id=str(active.pk))
        .order_by("sequence")
        .values_list("action", "actor")
    )
    assert actions == [
        ("campaign.suspend", reviewer_member.pk),
        ("campaign.unsuspend", reviewer_member.pk),
    ]


def test_bulk_reject_asks_for_one_reason_on_an_intermediate_page(console, organizer):
    first = CampaignFactory(organizer=organizer, title="First one", status="pending_review")
    second = CampaignFactory(organizer=organizer, title="Second one", status="pending_review")
    selected = [str(first.pk), str(second.pk)]
    asked = console.post(CHANGELIST, {"action": "reject", "_selected_action": selected})
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "First one" in html and "Second one" in html
    assert 'name="reason"' in html and 'value="Reject"' in html

    blank = console.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": selected, "confirm": "yes", "reason": ""},
    )
    assert "A reason is needed." in blank.content.decode()
    first.refresh_from_db()
    assert first.status == "pending_review"

    done = console.post(
        CHANGELIST,
        {
            "action": "reject",
            "_selected_action": selected,
            "confirm": "yes",
            "reason": "Photos of the bills, please.",
        },
        follow=True,
    )
    assert "Rejected 2 item(s)." in messages_of(done)
    for campaign in (first, second):
        campaign.refresh_from_db()
        assert (campaign.status, campaign.rejection_reason) == (
            "rejected",
            "Photos of the bills, please.",
        )
    assert AdminLog.objects.filter(action="campaign.reject").count() == 2


def test_bulk_approve_and_bulk_suspend(console, organizer):
    pending = CampaignFactory(organizer=organizer, status="pending_review")
    response = console.post(
        CHANGELIST, {"action": "approve", "_selected_action": [str(pending.pk)]}, follow=True
    )
    assert "Approved 1 item(s)." in messages_of(response)
    asked = console.post(CHANGELIST, {"action": "suspend", "_selected_action": [str(pending.pk)]})
    assert 'name="reason"' in asked.content.decode()
    console.post(
        CHANGELIST,
        {
            "action": "suspend",
            "_selected_action": [str(pending.pk)],
            "confirm": "yes",
            "reason": "Under investigation",
        },
    )
    pending.refresh_from_db()
    assert (pending.status, pending.suspension_reason) == ("suspended", "Under investigation")


def test_a_reviewer_cannot_approve_or_reject_their_own_campaign_in_the_console(
    console, reviewer_member
):
    own = CampaignFactory(organizer=reviewer_member, status="pending_review")
    response = console.post(step(own, "approve"), follow=True)
    assert "You organise this campaign; another staff member must approve it." in messages_of(
        response
    )
    response = console.post(
        CHANGELIST, {"action": "approve", "_selected_action": [str(own.pk)]}, follow=True
    )
    assert any("You organise this campaign" in m for m in messages_of(response))
    response = console.post(step(own, "reject"), {"reason": "Not good"}, follow=True)
    assert any("You organise this campaign" in m for m in messages_of(response))
    own.refresh_from_db()
    assert own.status == "pending_review"
    assert not AdminLog.objects.filter(target_id=str(own.pk)).exists()


def test_a_reviewer_cannot_approve_or_reject_their_own_campaign_through_the_api(reviewer):
    own = CampaignFactory(organizer=reviewer, status="pending_review")
    api = client_for(grant(reviewer, "campaigns.view_campaign"), second_factor=True)
    url = f"/v1/admin/campaigns/{own.pk}/status"
    for body in ({"action": "approve"}, {"action": "reject", "reason": "Mine"}):
        response = api.patch(url, body, format="json")
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "own_campaign"
    own.refresh_from_db()
    assert own.status == "pending_review"
    # another reviewer may
    other = grant(StaffFactory(email="other@krogiving.test"), *REVIEWER_PERMISSIONS)
    response = client_for(other, second_factor=True).patch(
        url, {"action": "approve"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"


def test_the_permission_matrix(pending):
    from tests.staff import console_client

    plain = console_client(StaffFactory(email="plain@krogiving.test"))
    assert plain.get(CHANGELIST).status_code == 403
    assert plain.get(page(pending)).status_code == 403
    assert plain.get(step(pending, "approve")).status_code == 403
    assert plain.post(step(pending, "approve")).status_code == 403

    viewer = console_client(
        grant(StaffFactory(email="viewer@krogiving.test"), "campaigns.view_campaign")
    )
    html = viewer.get(page(pending)).content.decode()
    assert step(pending, "approve") not in html
    assert "/admin/withdrawals/withdrawal/?campaign" not in html  # no withdrawal permission
    for action in ("approve", "reject", "suspend", "reinstate"):
        assert viewer.post(step(pending, action), {"reason": "x"}).status_code == 403
    viewer.post(
        CHANGELIST, {"action": "reject", "_selected_action": [str(pending.pk)], "reason": "x"}
    )

    # may suspend (change) but not review
    changer = console_client(
        grant(StaffFactory(email="changer@krogiving.test"), "campaigns.change_campaign")
    )
    assert changer.post(step(pending, "approve")).status_code == 403
    assert changer.post(step(pending, "reject"), {"reason": "x"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending_review"
    assert not AdminLog.objects.exists()

    assert (
        console_client(grant(StaffFactory(email="rev2@krogiving.test"), *REVIEWER_PERMISSIONS))
        .get("/admin/withdrawals/withdrawal/")
        .status_code
        == 403
    )
