"""Creating, editing and submitting campaigns; who hears about it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.campaigns.models import CampaignMedia, CampaignStatus
from apps.campaigns.services import (
    campaign_approve,
    campaign_create,
    campaign_reject,
    campaign_submit,
    campaign_update,
)
from apps.core.errors import Conflict, InvalidInput
from apps.currency.models import Currency
from apps.notifications.models import Notification
from tests.factories import CampaignFactory, StaffFactory, UserFactory

from .conftest import grant
from .factories import ImageFactory

pytestmark = pytest.mark.django_db


def create(organizer, **overrides):
    fields = {
        "title": "Help Ada walk again",
        "story": "Short for now.",
        "goal_amount": 250_000_00,
        "currency": "NGN",
        "category": "medical",
    }
    return campaign_create(organizer=organizer, **{**fields, **overrides})


# --- create -----------------------------------------------------------------------------


def test_create_makes_a_draft_with_a_slug_from_the_title(organizer):
    campaign = create(organizer)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.slug == "help-ada-walk-again"
    assert campaign.currency_id == "NGN" and campaign.category_id == "medical"
    assert list(campaign.slug_history.values_list("slug", flat=True)) == ["help-ada-walk-again"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"category": "gambling"}, "category"),
        ({"goal_amount": 0}, "goal_amount"),
        ({"goal_amount": -5}, "goal_amount"),
        ({"goal_amount": 10.5}, "goal_amount"),
        ({"goal_amount": True}, "goal_amount"),
        ({"title": "   "}, "title"),
        ({"end_date": timezone.localdate()}, "end_date"),
    ],
)
def test_create_refuses_bad_values_naming_the_field(organizer, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        create(organizer, **overrides)
    assert list(refused.value.fields) == [field]
    assert refused.value.message.startswith(f"{field}: ")


def test_create_refuses_a_disabled_currency(organizer):
    Currency.objects.filter(pk="KES").update(enabled=False)
    with pytest.raises(InvalidInput) as refused:
        create(organizer, currency="KES")
    assert refused.value.code == "currency_disabled"


# --- update -----------------------------------------------------------------------------


def test_draft_edits_everything(organizer):
    campaign = create(organizer)
    later = timezone.localdate() + timedelta(days=60)
    updated = campaign_update(
        campaign=campaign,
        actor=organizer,
        story="A longer story.",
        goal_amount=1_000_00,
        currency="usd",
        category="education",
        end_date=later,
    )
    updated.refresh_from_db()
    assert (updated.story, updated.goal_amount, updated.currency_id) == (
        "A longer story.",
        1_000_00,
        "USD",
    )
    assert (updated.category_id, updated.end_date) == ("education", later)


def test_active_campaign_edits_story_and_end_date_only(organizer):
    campaign = CampaignFactory(organizer=organizer, status="active", title="School roof")
    campaign_update(campaign=campaign, actor=organizer, story="New chapter of the story.")
    for field, value in [
        ("title", "Another title"),
        ("goal_amount", 1),
        ("currency", "USD"),
        ("category", "education"),
    ]:
        with pytest.raises(Conflict) as refused:
            campaign_update(campaign=campaign, actor=organizer, **{field: value})
        assert refused.value.code == "field_not_editable"
        assert list(refused.value.fields) == [field]
        assert "active" in refused.value.message
    campaign.refresh_from_db()
    assert campaign.story == "New chapter of the story."
    assert campaign.title == "School roof"


def test_sending_an_unchanged_value_is_not_an_edit(organizer):
    campaign = CampaignFactory(organizer=organizer, status="active", title="School roof")
    campaign_update(
        campaign=campaign,
        actor=organizer,
        title="School roof",
        goal_amount=campaign.goal_amount,
        currency="NGN",
        category="medical",
        story="Edited story.",
    )
    campaign.refresh_from_db()
    assert campaign.story == "Edited story."


@pytest.mark.parametrize("status", ["pending_review", "suspended", "ended", "closed"])
def test_nothing_is_editable_in_these_statuses(organizer, status):
    campaign = CampaignFactory(organizer=organizer, status=status)
    with pytest.raises(Conflict) as refused:
        campaign_update(campaign=campaign, actor=organizer, story="Changed")
    assert list(refused.value.fields) == ["story"]


def test_currency_is_fixed_once_money_came_in(organizer):
    campaign = CampaignFactory(organizer=organizer, status="draft")
    type(campaign).objects.filter(pk=campaign.pk).update(raised_amount=5000, donor_count=1)
    with pytest.raises(Conflict) as refused:
        campaign_update(campaign=campaign, actor=organizer, currency="USD")
    assert refused.value.code == "currency_locked"
    campaign_update(campaign=campaign, actor=organizer, goal_amount=9_000_000)  # the rest may


def test_someone_else_cannot_edit(organizer, other_user, reviewer):
    from apps.core.errors import NotFound

    campaign = create(organizer)
    for actor in (other_user, reviewer):
        with pytest.raises(NotFound):
            campaign_update(campaign=campaign, actor=actor, story="Mine now")


# --- submit -----------------------------------------------------------------------------


def test_submit_lists_everything_missing(organizer):
    Currency.objects.filter(pk="GHS").update(enabled=True)
    campaign = create(organizer, currency="GHS")
    Currency.objects.filter(pk="GHS").update(enabled=False)
    CampaignMedia.objects.create(
        campaign=campaign, kind="video", file="campaigns/v.mp4", content_type="video/mp4"
    )
    ImageFactory(campaign=campaign, status="pending")  # not checked yet: does not count
    with pytest.raises(InvalidInput) as refused:
        campaign_submit(campaign=campaign, actor=organizer)
    assert refused.value.code == "campaign_incomplete"
    assert set(refused.value.fields) == {"story", "currency", "media"}
    assert "story" in refused.value.message and "media" in refused.value.message
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_submit_needs_an_end_date_still_ahead(organizer):
    campaign = CampaignFactory(
        organizer=organizer, end_date=timezone.localdate() - timedelta(days=1)
    )
    ImageFactory(campaign=campaign)
    with pytest.raises(InvalidInput) as refused:
        campaign_submit(campaign=campaign, actor=organizer)
    assert set(refused.value.fields) == {"end_date"}


def test_story_of_exactly_100_characters_is_enough(organizer):
    campaign = CampaignFactory(organizer=organizer, story="x" * 100)
    ImageFactory(campaign=campaign)
    assert campaign_submit(campaign=campaign, actor=organizer).status == "pending_review"


def test_submit_emails_the_reviewers_after_commit(
    organizer, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["review-desk@krogiving.test", "REVIEWER@krogiving.test"]
    group_member = StaffFactory(email="grouped@krogiving.test")
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Campaign reviewers")
    group.permissions.add(Permission.objects.get(codename="review_campaign"))
    group_member.groups.add(group)
    superuser = UserFactory(email="root@krogiving.test", is_staff=True, is_superuser=True)
    StaffFactory(email="nopermission@krogiving.test")
    grant(
        StaffFactory(email="inactive@krogiving.test", is_active=False), "campaigns.review_campaign"
    )
    grant(UserFactory(email="notstaff@krogiving.test"), "campaigns.review_campaign")

    campaign = CampaignFactory(organizer=organizer, title="Help Ada walk again")
    ImageFactory(campaign=campaign)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        campaign_submit(campaign=campaign, actor=organizer)
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    recipients = sorted(message.to[0].lower() for message in mail.outbox)
    assert recipients == sorted(
        [
            "review-desk@krogiving.test",
            reviewer.email,
            group_member.email,
            superuser.email,
        ]
    )
    message = mail.outbox[0]
    assert message.subject == "Campaign waiting for review: Help Ada walk again"
    assert "Chiamaka Obi" in message.body
    assert f"/admin/campaigns/campaign/{campaign.pk}/change/" in message.body
    assert organizer.email not in message.body


# --- approve and reject notifications --------------------------------------------------


def _notifications(user):
    return sorted(
        Notification.objects.filter(user=user).values_list("channel", "template", "status")
    )


def test_approval_emails_and_texts_an_organiser_with_a_verified_phone(
    organizer, reviewer, django_capture_on_commit_callbacks
):
    organizer.phone_verified = True
    organizer.save()
    campaign = CampaignFactory(organizer=organizer, status="pending_review", title="Help Ada")
    with django_capture_on_commit_callbacks(execute=True):
        campaign_approve(campaign=campaign, actor=reviewer)

    assert _notifications(organizer) == [
        ("email", "campaign_approved", "sent"),
        ("sms", "campaign_approved", "sent"),
    ]
    [message] = mail.outbox
    assert message.to == [organizer.email]
    assert message.subject == "Your campaign is live: Help Ada"
    assert "/campaigns/help-ada" in message.body
    sms = Notification.objects.get(user=organizer, channel="sms")
    assert sms.recipient == organizer.phone


def test_approval_only_emails_when_the_phone_is_not_verified(
    organizer, reviewer, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organizer=organizer, status="pending_review")
    with django_capture_on_commit_callbacks(execute=True):
        campaign_approve(campaign=campaign, actor=reviewer)
    assert _notifications(organizer) == [("email", "campaign_approved", "sent")]


def test_rejection_stores_the_reason_and_tells_the_organiser(
    organizer, reviewer, django_capture_on_commit_callbacks
):
    organizer.phone_verified = True
    organizer.save()
    campaign = CampaignFactory(organizer=organizer, status="pending_review", title="Help Ada")
    reason = "Please add a photo of the <hospital> bill."
    with django_capture_on_commit_callbacks(execute=True):
        rejected = campaign_reject(campaign=campaign, actor=reviewer, reason=reason)
    assert rejected.rejection_reason == reason
    assert _notifications(organizer) == [
        ("email", "campaign_rejected", "sent"),
        ("sms", "campaign_rejected", "sent"),
    ]
    [message] = mail.outbox
    assert reason in message.body  # plain text as written
    [(html, _)] = message.alternatives
    assert "&lt;hospital&gt;" in html  # escaped in HTML
