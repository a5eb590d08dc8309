"""Wiring between apps that may not import each other (docs/architecture.md).

The project package sits above every app, so it may join two of them: the public
campaign list's "trending" ordering counts donations, and the organiser's view of a
campaign shows its money from the ledger; the campaigns app (below both) may import
neither.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

TRENDING_WINDOW = timedelta(days=7)


def campaign_order_trending(queryset: QuerySet) -> QuerySet:
    """Most succeeded donations in the last 7 days, then raised amount, then newest."""
    from apps.donations.models import Donation, DonationStatus

    recent = (
        Donation.objects.filter(
            campaign=OuterRef("pk"),
            status=DonationStatus.SUCCEEDED,
            paid_at__gte=timezone.now() - TRENDING_WINDOW,
        )
        .order_by()
        .values("campaign")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        recent_donations=Coalesce(Subquery(recent, output_field=IntegerField()), 0)
    ).order_by(
        "-recent_donations",
        "-raised_amount",
        F("published_at").desc(nulls_last=True),
        "-pk",
    )


def connect() -> None:
    from apps.campaigns.selectors import register_campaign_money, register_campaign_ordering
    from apps.withdrawals.selectors import campaign_money

    register_campaign_ordering("trending", campaign_order_trending)
    # The organiser's view of a campaign shows its money as the ledger holds it.
    register_campaign_money(campaign_money)
