"""Slugs: readable, unique across current and former slugs, fixed once published."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from apps.campaigns.models import Campaign, CampaignSlug
from apps.campaigns.services import campaign_approve, campaign_create, campaign_update
from tests.factories import CampaignFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def create(organizer, title):
    return campaign_create(
        organizer=organizer,
        title=title,
        story="",
        goal_amount=100_00,
        currency="NGN",
        category="medical",
    )


def history(campaign):
    return sorted(CampaignSlug.objects.filter(campaign=campaign).values_list("slug", flat=True))


def test_same_titles_get_numbered_slugs(organizer, other_user):
    slugs = [
        create(user, "Help Ada walk again!").slug for user in (organizer, other_user, organizer)
    ]
    assert slugs == ["help-ada-walk-again", "help-ada-walk-again-2", "help-ada-walk-again-3"]


def test_titles_without_latin_letters_still_get_a_slug(organizer):
    assert create(organizer, "救命").slug == "campaign"
    assert create(organizer, "!!!").slug == "campaign-2"


def test_a_slug_never_shadows_the_mine_endpoint(organizer):
    campaign = create(organizer, "Mine")
    assert campaign.slug == "mine-2"
    response = client_for(organizer).get("/v1/campaigns/mine")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_uuid_looking_title_does_not_give_a_uuid_slug(organizer):
    title = "123e4567-e89b-12d3-a456-426614174000"
    assert create(organizer, title).slug == f"campaign-{title}"


def test_a_long_title_fits_the_slug_field(organizer):
    first = create(organizer, "word " * 30)
    second = create(organizer, "word " * 30)
    assert len(first.slug) <= 180 and second.slug == first.slug + "-2"


def test_retitling_a_draft_changes_the_slug_and_keeps_the_old_one(organizer, other_user):
    campaign = create(organizer, "Help Ada")
    campaign = campaign_update(campaign=campaign, actor=organizer, title="Help Ada walk")
    assert campaign.slug == "help-ada-walk"
    assert history(campaign) == ["help-ada", "help-ada-walk"]
    # A former slug is never handed to another campaign.
    assert create(other_user, "Help Ada").slug == "help-ada-2"
    # Going back to an earlier title takes back the campaign's own earlier slug.
    campaign = campaign_update(campaign=campaign, actor=organizer, title="Help Ada")
    assert campaign.slug == "help-ada"
    assert history(campaign) == ["help-ada", "help-ada-walk"]


def test_a_title_change_that_keeps_the_base_keeps_the_slug(organizer, other_user):
    create(other_user, "Help Ada")
    campaign = create(organizer, "Help Ada")
    assert campaign.slug == "help-ada-2"
    campaign = campaign_update(campaign=campaign, actor=organizer, title="Help, Ada!")
    assert campaign.slug == "help-ada-2"
    assert history(campaign) == ["help-ada-2"]


def test_the_slug_is_fixed_from_first_publication(organizer, reviewer):
    campaign = CampaignFactory(organizer=organizer, title="Help Ada", status="pending_review")
    campaign_approve(campaign=campaign, actor=reviewer)
    Campaign.objects.filter(pk=campaign.pk).update(status="rejected")  # back to editable
    campaign = campaign_update(campaign=campaign, actor=organizer, title="A new name")
    assert campaign.title == "A new name"
    assert campaign.slug == "help-ada"
    assert history(campaign) == ["help-ada"]


def test_every_former_slug_resolves_to_the_current_one(organizer, anon_api):
    campaign = create(organizer, "First name")
    campaign = campaign_update(campaign=campaign, actor=organizer, title="Second name")
    campaign = campaign_update(campaign=campaign, actor=organizer, title="Third name")
    Campaign.objects.filter(pk=campaign.pk).update(status="active")
    for slug in ("first-name", "second-name", "third-name"):
        response = anon_api.get(f"/v1/campaigns/{slug}")
        assert response.status_code == 200
        assert response.json()["slug"] == "third-name"
        assert response.json()["id"] == str(campaign.pk)


@pytest.mark.django_db(transaction=True)
def test_campaigns_created_at_once_with_one_title_get_different_slugs():
    users = [UserFactory() for _ in range(4)]
    barrier = threading.Barrier(len(users))
    slugs, errors = [], []

    def worker(user):
        try:
            barrier.wait(timeout=10)
            slugs.append(create(user, "Flood relief in Lokoja").slug)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(slugs) == [
        "flood-relief-in-lokoja",
        "flood-relief-in-lokoja-2",
        "flood-relief-in-lokoja-3",
        "flood-relief-in-lokoja-4",
    ]
    assert CampaignSlug.objects.filter(slug__startswith="flood-relief").count() == 4


# --- manage.py campaign_slugs -----------------------------------------------------------


def run_command() -> str:
    out = StringIO()
    call_command("campaign_slugs", stdout=out)
    return out.getvalue()


def test_the_repair_command_fixes_slugs_and_history_and_is_idempotent(organizer):
    blank = CampaignFactory(organizer=organizer, title="School fees for Emeka")
    Campaign.objects.filter(pk=blank.pk).update(slug="")
    CampaignSlug.objects.filter(campaign=blank).delete()

    malformed = CampaignFactory(organizer=organizer, title="Roof repairs")
    Campaign.objects.filter(pk=malformed.pk).update(slug="Roof Repairs!")

    no_history = CampaignFactory(organizer=organizer, title="Clean water", status="active")
    CampaignSlug.objects.filter(campaign=no_history).delete()

    # `shared` is what `taker` uses now, but the history says it was `previous`'s.
    previous = CampaignFactory(organizer=organizer, title="Previous owner", slug="previous-owner")
    taker = CampaignFactory(organizer=organizer, title="Taker", slug="shared", status="active")
    CampaignSlug.objects.filter(campaign=taker).delete()
    CampaignSlug.objects.create(slug="shared", campaign=previous)

    reserved = CampaignFactory(organizer=organizer, title="Mine", slug="mine")
    fine = CampaignFactory(organizer=organizer, title="All good")

    first = run_command()
    assert "checked 7 campaign(s): 3 slug(s) regenerated, 1 history row(s) added, " in first
    assert "1 history row(s) moved" in first

    for campaign in (blank, malformed, no_history, previous, taker, reserved, fine):
        campaign.refresh_from_db()
    assert blank.slug == "school-fees-for-emeka"
    assert malformed.slug == "roof-repairs"
    assert reserved.slug == "mine-2"
    assert (no_history.slug, taker.slug, fine.slug) == ("clean-water", "shared", "all-good")
    assert history(no_history) == ["clean-water"]
    assert history(taker) == ["shared"]
    assert history(previous) == ["previous-owner"]
    assert history(blank) == ["school-fees-for-emeka"]
    for campaign in Campaign.objects.all():
        assert CampaignSlug.objects.get(slug=campaign.slug).campaign_id == campaign.pk

    second = run_command()
    assert second.strip() == (
        "checked 7 campaign(s): 0 slug(s) regenerated, 0 history row(s) added, "
        "0 history row(s) moved"
    )
    # "mine" stays recorded for its campaign: no other campaign can ever take it.
    assert history(reserved) == ["mine", "mine-2"]
    assert CampaignSlug.objects.count() == 8


def test_the_repair_command_on_a_healthy_database_changes_nothing(organizer):
    campaigns = [CampaignFactory(organizer=organizer) for _ in range(3)]
    before = sorted(CampaignSlug.objects.values_list("slug", "campaign_id"))
    assert "0 slug(s) regenerated, 0 history row(s) added, 0 history row(s) moved" in run_command()
    assert sorted(CampaignSlug.objects.values_list("slug", "campaign_id")) == before
    assert [c.slug for c in campaigns] == [Campaign.objects.get(pk=c.pk).slug for c in campaigns]
