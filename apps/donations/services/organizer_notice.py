"""The organiser's notice of new donations, coalesced (issue 15).

A campaign that goes viral must not send its organiser one email per donation. The
credit step marks each donation `organizer_notice_pending` (in the update it already
makes: no extra statement). After commit, `organizer_notice_schedule` asks for ONE
notice per campaign per ORGANIZER_NOTICE_INTERVAL_SECONDS: the first settlement of an
interval enqueues `send_organizer_notice` with that countdown (a cache key says one is
on its way; it expires a minute after the countdown, so a lost task does not silence
the campaign), the others do nothing. The scheduled sweep (`organizer_notices_sweep`)
catches what a lost task and no later settlement would leave untold.

`donations_organizer_notice` is exact and idempotent: in ONE transaction it locks the
campaign's marked donations (skipping rows another transaction holds: the next notice
takes them), clears their mark and records the notification naming their count and
total; the notification row and the cleared marks commit together or not at all, so no
donation is counted twice or never. One donation: the familiar single notice (donor,
amount, message); more: "N new donations, total X".
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.core.locks import lock_donations_awaiting_organizer_notice
from apps.currency.money import format_money

from ..models import Donation, DonationStatus

logger = logging.getLogger("apps.donations.services")

# Most donations one notice counts (the rest: the next notice, at once).
NOTICE_MAX_DONATIONS = 5000


def _cache_key(campaign_id: Any) -> str:
    return f"donations:organizer-notice:{campaign_id}"


def _campaign_url(campaign: Campaign) -> str:
    return f"{settings.FRONT_END_URL.rstrip('/')}/campaigns/{campaign.slug}"


def organizer_notice_schedule(campaign_id: Any) -> None:
    """After a credit commits: make sure a notice for the campaign is on its way. Never
    raises (the money is settled whatever happens to an email)."""
    from ..tasks import send_organizer_notice

    interval = max(0, int(settings.ORGANIZER_NOTICE_INTERVAL_SECONDS))
    try:
        if interval:
            try:
                first = bool(cache.add(_cache_key(campaign_id), 1, timeout=interval + 60))
            except Exception:  # the cache being down costs an extra notice, not a lost one
                first = True
            if not first:
                return
        send_organizer_notice.apply_async((str(campaign_id),), countdown=interval or None)
    except Exception:
        logger.exception("organizer notice not scheduled", extra={"campaign_id": str(campaign_id)})


def organizer_notice_due(campaign_id: Any) -> None:
    """The task starts: a settlement committing from now on schedules the next notice
    (this one may or may not count it; either way nothing is lost)."""
    try:
        cache.delete(_cache_key(campaign_id))
    except Exception:
        logger.warning("organizer notice key not cleared", extra={"campaign_id": str(campaign_id)})


def donations_organizer_notice(*, campaign_id: Any) -> Any | None:
    """Tell the organiser of the campaign's donations not told yet, in one notice; the
    Notification, or None when there was nothing to tell."""
    from apps.notifications.services import notification_send

    with transaction.atomic(durable=True):
        rows = lock_donations_awaiting_organizer_notice(
            campaign_id=campaign_id, limit=NOTICE_MAX_DONATIONS
        )
        if not rows:
            return None
        Donation.objects.filter(pk__in=[row.pk for row in rows]).update(
            organizer_notice_pending=False
        )
        # Refunded in full before the notice: not news any more.
        counted = [row for row in rows if row.status == DonationStatus.SUCCEEDED]
        if not counted:
            return None
        campaign = Campaign.objects.select_related("organizer").get(pk=campaign_id)
        organizer = campaign.organizer
        common = {
            "first_name": organizer.first_name,
            "campaign_title": campaign.title,
            "campaign_url": _campaign_url(campaign),
            "raised_display": format_money(campaign.raised_amount, campaign.currency_id),
        }
        if len(counted) == 1:
            donation = counted[0]
            notification = notification_send(
                channel="email",
                template="donation_received",
                recipient=organizer.email,
                user=organizer,
                context={
                    **common,
                    "reference": donation.reference,
                    "donor_name": donation.public_name,
                    "gift_display": format_money(
                        donation.gift_campaign, donation.campaign_currency_id
                    ),
                    "message": donation.message,
                    "gift": donation.gift_campaign,
                },
            )
        else:
            total = sum(row.gift_campaign for row in counted)
            notification = notification_send(
                channel="email",
                template="donations_received",
                recipient=organizer.email,
                user=organizer,
                context={
                    **common,
                    "count": len(counted),
                    "total": total,
                    "total_display": format_money(total, campaign.currency_id),
                },
            )
    logger.info(
        "organizer notice",
        extra={"campaign_id": str(campaign_id), "donations": len(counted)},
    )
    if len(rows) == NOTICE_MAX_DONATIONS:
        organizer_notice_schedule_now(campaign_id)
    return notification


def organizer_notice_schedule_now(campaign_id: Any) -> None:
    from ..tasks import send_organizer_notice

    send_organizer_notice.delay(str(campaign_id))


def organizer_notices_sweep(*, older_than: timedelta | None = None) -> int:
    """Campaigns with donations credited more than `older_than` ago (twice the interval,
    at least five minutes) and still not told: a notice each, now. How many were sent."""
    if older_than is None:
        interval = int(settings.ORGANIZER_NOTICE_INTERVAL_SECONDS)
        older_than = timedelta(seconds=max(300, 2 * interval))
    campaign_ids = (
        Donation.objects.filter(
            organizer_notice_pending=True, updated_at__lt=timezone.now() - older_than
        )
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    sent = 0
    for campaign_id in list(campaign_ids):
        try:
            if donations_organizer_notice(campaign_id=campaign_id) is not None:
                sent += 1
        except Exception:
            logger.exception("organizer notice failed", extra={"campaign_id": str(campaign_id)})
    return sent
