"""What the donation services share: outcomes, the timeline, review flags, the
leaderboard aggregate."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.core.locks import lock_donation, lock_donor_aggregate
from apps.core.timeline import timeline_entry, timeline_status_change

from ..models import (
    ANONYMOUS_NAME,
    NAME_MAX_LENGTH,
    Donation,
    DonationEvent,
    DonationEventType,
    DonationStatus,
    DonorAggregate,
)

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger("apps.donations.services")

S = DonationStatus
E = DonationEventType
REVIEW_REASON_MAX = 4000


class Outcome(StrEnum):
    """What a settlement, check or refund event did. The first three are the webhook
    handler outcomes the payments app records on the event."""

    APPLIED = "applied"  # changed something now
    DUPLICATE = "duplicate"  # already done (by this or another delivery, or by verify)
    IGNORED = "ignored"  # nothing to do, or flagged for staff instead
    FAILED = "failed"  # Paystack says the charge failed; the donation is failed now
    ABANDONED = "abandoned"  # never paid in the time allowed
    PENDING = "pending"  # Paystack does not know yet
    UNREACHABLE = "unreachable"  # Paystack could not be asked


def invalid(field: str, message: str, code: str = "validation_error") -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code, fields={field: [message]})


def donation_event_record(
    *,
    donation: Donation | Any,
    type: DonationEventType | str,
    source: str = "",
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> DonationEvent:
    """Add one entry to a donation's timeline. Call it inside the transaction that makes
    the change it records (under the donation's row lock where there is one)."""
    event: DonationEvent = timeline_entry(
        DonationEvent,
        owner_field="donation",
        owner=donation,
        type=type,
        source=source,
        actor=actor,
        data=data,
    )
    return event


def status_change(
    donation: Donation,
    *,
    to: str,
    type: DonationEventType,
    source: str = "",
    actor: User | None = None,
    **data: Any,
) -> list[str]:
    """Move a locked donation to `to` and write the timeline; the fields to save."""
    return timeline_status_change(
        DonationEvent, "donation", donation, to=to, type=type, source=source, actor=actor, **data
    )


def flag_for_review(
    donation: Donation | Any, problem: str, *, source: str = "", locked: bool = False
) -> Outcome:
    """Credit nothing, tell staff: the donation is marked, its timeline says why, and an
    alert is logged. `locked`: the caller's transaction already holds the donation's lock;
    otherwise this takes it in a transaction of its own."""
    donation_id: Any = getattr(donation, "pk", donation)
    with transaction.atomic():
        row = donation if locked else lock_donation(donation_id)
        reasons = [r for r in row.review_reason.split("\n") if r]
        if problem not in reasons:
            reasons.append(problem)
        row.needs_review = True
        row.review_reason = "\n".join(reasons)[-REVIEW_REASON_MAX:]
        Donation.objects.filter(pk=donation_id).update(
            needs_review=True, review_reason=row.review_reason, updated_at=timezone.now()
        )
        donation_event_record(
            donation=donation_id,
            type=E.FLAGGED_FOR_REVIEW,
            source=source,
            data={"problem": problem},
        )
    logger.error(
        "ALERT donation needs review: %s",
        problem,
        extra={
            "alert": True,
            "donation_id": str(donation_id),
            "donation_reference": row.reference,
        },
    )
    return Outcome.IGNORED


# --- the leaderboard aggregate and the donor count -------------------------------------------


def donor_key(donation: Donation) -> str:
    if donation.anonymous:
        return f"anonymous:{donation.pk}"
    return f"email:{donation.email.lower()}"


def separate_key(donation: Donation) -> str:
    """The row of a named donation that may not take its email's row (see aggregate_add)."""
    return f"separate:{donation.pk}"


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _owner_gave(donation: Donation) -> bool:
    """The donor signed in with a verified email, and gave under that email."""
    donor = donation.donor
    return bool(
        donor is not None
        and donor.email_verified
        and (donor.email or "").lower() == donation.email.lower()
    )


def aggregate_add(donation: Donation, at: datetime) -> None:
    """Add a settled donation to its donor's leaderboard row (campaign row already locked).

    Named giving is grouped by email, which nobody verified: the first name given for
    an email names its row, and only the owner (signed in with that email verified) may
    rename it. A later donation under another name, not from the owner, gets a row of
    its own (`separate:<donation id>`) showing that name: knowing someone's email does
    not let you rename their entry. A blank name never renames.
    """
    key = donor_key(donation)
    name = ANONYMOUS_NAME if donation.anonymous else donation.public_name
    row = lock_donor_aggregate(campaign_id=donation.campaign_id, donor_key=key)
    if (
        row is not None
        and not donation.anonymous
        and donation.name
        and not _same_name(donation.name, row.display_name)
        and not _owner_gave(donation)
    ):
        key, row = separate_key(donation), None
    if row is None:
        DonorAggregate.objects.create(
            campaign_id=donation.campaign_id,
            donor_key=key,
            display_name=name[:NAME_MAX_LENGTH],
            anonymous=donation.anonymous,
            total=donation.gift_campaign,
            donation_count=1,
            first_donated_at=at,
            last_donated_at=at,
        )
        return
    changes: dict[str, Any] = {
        "total": F("total") + donation.gift_campaign,
        "donation_count": F("donation_count") + 1,
        "last_donated_at": max(at, row.last_donated_at),
        "updated_at": timezone.now(),
    }
    if donation.name and not donation.anonymous and _owner_gave(donation):
        changes["display_name"] = donation.name[:NAME_MAX_LENGTH]
    DonorAggregate.objects.filter(pk=row.pk).update(**changes)


def aggregate_subtract(donation: Donation, *, gift: int, completes: bool) -> None:
    """Take a refunded gift off the row `aggregate_add` put it in: its own separate row
    when it has one (the key names the donation, so that is unambiguous), else its
    donor's row."""
    changes = {
        "total": F("total") - gift,
        "donation_count": F("donation_count") - (1 if completes else 0),
        "updated_at": timezone.now(),
    }
    rows = DonorAggregate.objects.filter(campaign_id=donation.campaign_id)
    if not rows.filter(donor_key=separate_key(donation)).update(**changes):
        rows.filter(donor_key=donor_key(donation)).update(**changes)


def counts_as_donor_elsewhere(donation: Donation) -> bool:
    """Another donation of this email to this campaign still counts (succeeded)."""
    return (
        Donation.objects.filter(
            campaign_id=donation.campaign_id, email=donation.email, status=S.SUCCEEDED
        )
        .exclude(pk=donation.pk)
        .exists()
    )
