"""Every lifecycle action from every status: allowed ones move, refused ones are 409."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.campaigns.models import CampaignStatus
from apps.campaigns.services import (
    TRANSITIONS,
    campaign_approve,
    campaign_close,
    campaign_end,
    campaign_reject,
    campaign_submit,
    campaign_suspend,
    campaign_unsuspend,
)
from apps.core.errors import Conflict
from tests.factories import CampaignFactory

from .factories import ImageFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("submit", "draft"): "pending_review",
    ("submit", "rejected"): "pending_review",
    ("approve", "pending_review"): "active",
    ("reject", "pending_review"): "rejected",
    ("close", "active"): "closed",
    ("suspend", "active"): "suspended",
    ("unsuspend", "suspended"): "active",
    ("end", "active"): "ended",
}
MATRIX = [(action, status) for action in TRANSITIONS for status in CampaignStatus.values]


def run(action, campaign, organizer, reviewer):
    calls = {
        "submit": lambda: campaign_submit(campaign=campaign, actor=organizer),
        "approve": lambda: campaign_approve(campaign=campaign, actor=reviewer),
        "reject": lambda: campaign_reject(
            campaign=campaign, actor=reviewer, reason="The photos are blurry."
        ),
        "close": lambda: campaign_close(campaign=campaign, actor=organizer),
        "suspend": lambda: campaign_suspend(
            campaign=campaign, actor=reviewer, reason="Reported as a duplicate."
        ),
        "unsuspend": lambda: campaign_unsuspend(campaign=campaign, actor=reviewer),
        "end": lambda: campaign_end(campaign=campaign),
    }
    return calls[action]()


def test_the_matrix_covers_the_architecture_lifecycle():
    assert {(a, s) for a, (froms, _) in TRANSITIONS.items() for s in froms} == set(ALLOWED)
    assert {a: t for a, (_, t) in TRANSITIONS.items()} == {a: t for (a, _), t in ALLOWED.items()}


@pytest.mark.parametrize(("action", "status"), MATRIX)
def test_transition(action, status, organizer, reviewer):
    today = timezone.localdate()
    # The deadline has passed only where the scheduler's `end` is being tried.
    end_date = today - timedelta(days=1) if action == "end" else today + timedelta(days=30)
    campaign = CampaignFactory(organizer=organizer, status=status, end_date=end_date)
    ImageFactory(campaign=campaign)
    expected = ALLOWED.get((action, status))

    if expected is None:
        with pytest.raises(Conflict) as refused:
            run(action, campaign, organizer, reviewer)
        assert refused.value.status_code == 409
        assert refused.value.code == "invalid_transition"
        assert status in refused.value.message
        assert refused.value.extra == {"status": status}
        campaign.refresh_from_db()
        assert campaign.status == status
    else:
        result = run(action, campaign, organizer, reviewer)
        campaign.refresh_from_db()
        assert result.status == campaign.status == expected


def test_approval_publishes_once_and_clears_the_rejection(organizer, reviewer):
    campaign = CampaignFactory(organizer=organizer, status="rejected")
    campaign.rejection_reason = "Add a photo of the hospital bill."
    campaign.save()
    ImageFactory(campaign=campaign)
    campaign_submit(campaign=campaign, actor=organizer)
    approved = campaign_approve(campaign=campaign, actor=reviewer)
    assert approved.published_at is not None
    assert approved.rejection_reason == ""
    first_published = approved.published_at

    campaign_suspend(campaign=approved, actor=reviewer, reason="Checking documents.")
    back = campaign_unsuspend(campaign=approved, actor=reviewer)
    assert back.status == "active"
    assert back.published_at == first_published
    assert back.suspension_reason == ""


def test_reject_and_suspend_need_a_reason(organizer, reviewer):
    from apps.core.errors import InvalidInput

    pending = CampaignFactory(organizer=organizer, status="pending_review")
    with pytest.raises(InvalidInput) as no_reason:
        campaign_reject(campaign=pending, actor=reviewer, reason="   ")
    assert no_reason.value.fields == {"reason": ["Give a reason."]}
    live = CampaignFactory(organizer=organizer, status="active")
    with pytest.raises(InvalidInput):
        campaign_suspend(campaign=live, actor=reviewer, reason="")


def test_staff_actions_need_the_permissions(organizer, plain_staff, other_user):
    from apps.core.errors import Forbidden

    pending = CampaignFactory(organizer=organizer, status="pending_review")
    live = CampaignFactory(organizer=organizer, status="active")
    for actor in (plain_staff, other_user, organizer):
        with pytest.raises(Forbidden):
            campaign_approve(campaign=pending, actor=actor)
        with pytest.raises(Forbidden):
            campaign_reject(campaign=pending, actor=actor, reason="no")
        with pytest.raises(Forbidden):
            campaign_suspend(campaign=live, actor=actor, reason="no")
    pending.refresh_from_db()
    live.refresh_from_db()
    assert (pending.status, live.status) == ("pending_review", "active")


def test_only_the_organiser_submits_or_closes(organizer, other_user, reviewer):
    from apps.core.errors import NotFound

    draft = CampaignFactory(organizer=organizer)
    ImageFactory(campaign=draft)
    live = CampaignFactory(organizer=organizer, status="active")
    for actor in (other_user, reviewer):
        with pytest.raises(NotFound):
            campaign_submit(campaign=draft, actor=actor)
        with pytest.raises(NotFound):
            campaign_close(campaign=live, actor=actor)


def test_approval_is_refused_when_the_end_date_has_passed(organizer, reviewer):
    campaign = CampaignFactory(
        organizer=organizer,
        status="pending_review",
        end_date=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(Conflict) as refused:
        campaign_approve(campaign=campaign, actor=reviewer)
    assert refused.value.code == "end_date_passed"


@pytest.mark.parametrize("days", [0, 5])
def test_end_is_refused_before_the_deadline_has_passed(days, organizer):
    campaign = CampaignFactory(
        organizer=organizer, status="active", end_date=timezone.localdate() + timedelta(days=days)
    )
    with pytest.raises(Conflict) as refused:
        campaign_end(campaign=campaign)
    assert refused.value.code == "end_date_not_passed"
    campaign.refresh_from_db()
    assert campaign.status == "active"


def test_the_scheduled_task_ends_only_active_campaigns_past_their_date(organizer):
    from apps.campaigns.tasks import end_expired_campaigns

    yesterday = timezone.localdate() - timedelta(days=1)
    expired = CampaignFactory(organizer=organizer, status="active", end_date=yesterday)
    today = CampaignFactory(organizer=organizer, status="active", end_date=timezone.localdate())
    open_ended = CampaignFactory(organizer=organizer, status="active", end_date=None)
    suspended = CampaignFactory(organizer=organizer, status="suspended", end_date=yesterday)

    assert end_expired_campaigns.delay().get() == 1
    assert end_expired_campaigns.delay().get() == 0  # safe to run again

    for campaign, status in [
        (expired, "ended"),
        (today, "active"),
        (open_ended, "active"),
        (suspended, "suspended"),
    ]:
        campaign.refresh_from_db()
        assert campaign.status == status
    assert expired.ended_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_one_wins_the_other_is_409():
    import threading

    from django.db import connection

    from tests.factories import StaffFactory, UserFactory

    from .conftest import grant

    reviewer = grant(StaffFactory(), "campaigns.review_campaign")
    campaign = CampaignFactory(organizer=UserFactory(), status="pending_review")
    barrier = threading.Barrier(2)
    outcomes = []

    def review(action):
        try:
            barrier.wait(timeout=10)
            if action == "approve":
                campaign_approve(campaign=campaign, actor=reviewer)
            else:
                campaign_reject(campaign=campaign, actor=reviewer, reason="Duplicate")
            outcomes.append(("ok", action))
        except Conflict as exc:
            outcomes.append(("409", exc.extra["status"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(a,)) for a in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    campaign.refresh_from_db()
    assert sorted(kind for kind, _ in outcomes) == ["409", "ok"]
    winner = next(action for kind, action in outcomes if kind == "ok")
    loser_saw = next(status for kind, status in outcomes if kind == "409")
    assert campaign.status == loser_saw == {"approve": "active", "reject": "rejected"}[winner]
