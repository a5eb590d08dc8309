"""Reads: the public donation list and leaderboard, the staff list, look-ups."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from apps.campaigns.models import Campaign
from apps.campaigns.selectors import campaign_id_for_slug
from apps.core.errors import NotFound

from .models import Donation, DonationEvent, DonationStatus, DonorAggregate

LEADERBOARD_DEFAULT = 10
LEADERBOARD_MAX = 100


def donation_list_public(*, campaign: Campaign) -> QuerySet[Donation]:
    """Recent succeeded donations (partly refunded ones too), newest first."""
    return (
        Donation.objects.filter(campaign=campaign, status=DonationStatus.SUCCEEDED)
        .select_related("donor")
        .only(
            "id",
            "name",
            "anonymous",
            "message",
            "gift_campaign",
            "refunded_gift_campaign",
            "campaign_currency_id",
            "paid_at",
            "donor__first_name",
            "donor__last_name",
        )
        .order_by("-paid_at", "-pk")
    )


def donation_leaderboard(
    *, campaign: Campaign, limit: int = LEADERBOARD_DEFAULT
) -> list[DonorAggregate]:
    """Top donors by total given, from the per-donor aggregate (index campaign, -total):
    reading the top N touches N index entries, however many donations there are."""
    limit = max(1, min(int(limit), LEADERBOARD_MAX))
    return list(
        DonorAggregate.objects.filter(campaign=campaign, total__gt=0)
        .only("display_name", "anonymous", "total", "donation_count", "first_donated_at")
        .order_by("-total", "first_donated_at", "pk")[:limit]
    )


def donation_get(donation_id: Any) -> Donation:
    try:
        donation_id = uuid.UUID(str(donation_id))
    except ValueError as exc:
        raise NotFound("No such donation.") from exc
    donation = Donation.objects.select_related("campaign", "donor").filter(pk=donation_id).first()
    if donation is None:
        raise NotFound("No such donation.")
    return donation


def donation_timeline(donation: Donation) -> list[DonationEvent]:
    """The donation's events, oldest first, with who acted."""
    return list(
        DonationEvent.objects.filter(donation=donation).select_related("actor").order_by("id")
    )


def donation_list_admin(
    *,
    status: str = "",
    campaign: str = "",
    email: str = "",
    reference: str = "",
    needs_review: bool | None = None,
) -> QuerySet[Donation]:
    """Every donation, newest first, filtered for staff. `campaign` is an id or a slug."""
    donations = Donation.objects.select_related("campaign", "donor").order_by("-created_at", "-pk")
    if status:
        donations = donations.filter(status=status)
    if campaign:
        try:
            campaign_id: Any = uuid.UUID(campaign)
        except ValueError:
            campaign_id = campaign_id_for_slug(campaign)
        donations = donations.filter(campaign_id=campaign_id) if campaign_id else donations.none()
    if email:
        donations = donations.filter(email=email.strip().lower())
    if reference:
        donations = donations.filter(reference=reference.strip())
    if needs_review is not None:
        donations = donations.filter(needs_review=needs_review)
    return donations
