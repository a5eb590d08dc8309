"""Wiring between apps that may not import each other (docs/architecture.md).

The project package sits above every app, so it may join two of them. Today that is
one thing: the public campaign list's "trending" ordering counts donations, which the
campaigns app (below donations) may not import.
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
    from apps.campaigns.selectors import register_campaign_ordering

    register_campaign_ordering("trending", campaign_order_trending)
