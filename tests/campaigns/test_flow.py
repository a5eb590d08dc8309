"""From registration to a public campaign, with real commits (no captured callbacks)."""

import pytest
from django.core import mail

from apps.campaigns.models import Campaign
from apps.campaigns.services import campaign_approve
from tests.factories import STORY, StaffFactory

from .conftest import client_for, grant
from .factories import ImageFactory


@pytest.mark.django_db(transaction=True)
def test_register_create_submit_approve_and_old_slugs_resolve(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["desk@krogiving.test"]
    reviewer = grant(StaffFactory(email="rita@krogiving.test"), "campaigns.review_campaign")
    public = client_for(None)

    registered = public.post(
        "/v1/users/register",
        {
            "email": "ada.mother@example.com",
            "password": "a-long-Pass-123",
            "first_name": "Ifeoma",
            "last_name": "Okafor",
        },
        format="json",
    )
    assert registered.status_code == 201
    creator = client_for(None)
    creator.credentials(HTTP_AUTHORIZATION=f"Bearer {registered.json()['access']}")

    created = creator.post(
        "/v1/campaigns",
        {
            "title": "Help Ada walk",
            "story": "Short for now.",
            "goal_amount": 1_500_000_00,
            "currency": "NGN",
            "category": "medical",
        },
        format="json",
    )
    assert created.status_code == 201
    campaign_id = created.json()["id"]
    assert (created.json()["slug"], created.json()["status"]) == ("help-ada-walk", "draft")

    # Not ready yet: story too short, no image.
    early = creator.post(f"/v1/campaigns/{campaign_id}/submit")
    assert early.status_code == 400
    assert set(early.json()["error"]["fields"]) == {"story", "media"}

    retitled = creator.patch(
        f"/v1/campaigns/{campaign_id}",
        {"title": "Help Ada walk again", "story": STORY},
        format="json",
    )
    assert retitled.json()["slug"] == "help-ada-walk-again"
    ImageFactory(campaign=Campaign.objects.get(pk=campaign_id), is_cover=True)

    submitted = creator.post(f"/v1/campaigns/{campaign_id}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending_review"
    assert "desk@krogiving.test" in [m.to[0] for m in mail.outbox]
    assert public.get("/v1/campaigns/help-ada-walk-again").status_code == 404
    assert public.get("/v1/campaigns").json()["count"] == 0  # now cached, empty

    campaign_approve(campaign=Campaign.objects.get(pk=campaign_id), actor=reviewer)
    assert "Your campaign is live: Help Ada walk again" in [m.subject for m in mail.outbox]

    listing = public.get("/v1/campaigns").json()
    assert [item["slug"] for item in listing["results"]] == ["help-ada-walk-again"]
    assert listing["results"][0]["organizer"] == {"name": "Ifeoma Okafor"}
    for slug in ("help-ada-walk-again", "help-ada-walk"):
        detail = public.get(f"/v1/campaigns/{slug}")
        assert detail.status_code == 200
        assert detail.json()["slug"] == "help-ada-walk-again"
        assert detail.json()["media"][0]["is_cover"] is True

    # Published: the title is locked, so the slug and every old link stay.
    locked = creator.patch(f"/v1/campaigns/{campaign_id}", {"title": "Ada"}, format="json")
    assert locked.status_code == 409
    assert locked.json()["error"]["fields"] == {
        "title": ["Cannot be changed while the campaign is active."]
    }
    story = creator.patch(
        f"/v1/campaigns/{campaign_id}", {"story": STORY + " Update."}, format="json"
    )
    assert story.status_code == 200
    assert public.get("/v1/campaigns/help-ada-walk").json()["story"].endswith("Update.")
