"""What the donation services share: outcomes, the timeline, review flags, the
leaderboard aggregate."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.core.locks import lock_donation, lock_donor_aggregates
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
    built: list[DonationEvent] | None = None,
    **data: Any,
) -> list[str]:
    """Move a locked donation to `to` and write the timeline (or, with `built`, append
    the unsaved entry to it for a bulk_create); the fields to save."""
    return timeline_status_change(
        DonationEvent,
        "donation",
        donation,
        to=to,
        type=type,
        source=source,
        actor=actor,
        built=built,
        **data,
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


def aggregates_add(donations: Sequence[Donation]) -> None:
    """Add settled donations, in order, to their donors' leaderboard rows (their
    campaigns' rows already locked): the rows locked in one query, changed in memory,
    written with one insert and one update.

    Named giving is grouped by email, which nobody verified: the first name given for
    an email names its row, and only the owner (signed in with that email verified) may
    rename it. A later donation under another name, not from the owner, gets a row of
    its own (`separate:<donation id>`) showing that name: knowing someone's email does
    not let you rename their entry. A blank name never renames. Each donation's
    `paid_at` is its time on the row.
    """
    if not donations:
        return
    rows: dict[tuple[Any, str], DonorAggregate] = {
        (row.campaign_id, row.donor_key): row
        for row in lock_donor_aggregates(
            campaign_ids={d.campaign_id for d in donations},
            donor_keys={donor_key(d) for d in donations},
        )
    }
    created: list[DonorAggregate] = []
    changed: dict[Any, DonorAggregate] = {}
    now = timezone.now()
    for donation in donations:
        at = donation.paid_at or now
        key = donor_key(donation)
        row = rows.get((donation.campaign_id, key))
        if (
            row is not None
            and not donation.anonymous
            and donation.name
            and not _same_name(donation.name, row.display_name)
            and not _owner_gave(donation)
        ):
            key, row = separate_key(donation), None
        if row is None:
            name = ANONYMOUS_NAME if donation.anonymous else donation.public_name
            row = DonorAggregate(
                campaign_id=donation.campaign_id,
                donor_key=key,
                display_name=name[:NAME_MAX_LENGTH],
                anonymous=donation.anonymous,
                total=donation.gift_campaign,
                donation_count=1,
                first_donated_at=at,
                last_donated_at=at,
            )
            rows[(donation.campaign_id, key)] = row
            created.append(row)
            continue
        # The row is locked (or new in this batch): its values in memory are exact.
        row.total += donation.gift_campaign
        row.donation_count += 1
        row.last_donated_at = max(at, row.last_donated_at)
        row.updated_at = now
        if donation.name and not donation.anonymous and _owner_gave(donation):
            row.display_name = donation.name[:NAME_MAX_LENGTH]
        if not row._state.adding:
            changed[row.pk] = row
    DonorAggregate.objects.bulk_create(created)
    if changed:
        DonorAggregate.objects.bulk_update(
            list(changed.values()),
            ["total", "donation_count", "last_donated_at", "display_name", "updated_at"],
        )


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


def new_donors(donations: Sequence[Donation]) -> list[bool]:
    """For each donation about to succeed, in order: is it its email's first counting
    donation to its campaign? No other succeeded donation of that email to that campaign,
    nor an earlier one of this batch. One query."""
    seen = set(
        Donation.objects.filter(
            status=S.SUCCEEDED,
            campaign_id__in={d.campaign_id for d in donations},
            email__in={d.email for d in donations},
        )
        .exclude(pk__in=[d.pk for d in donations])
        .values_list("campaign_id", "email")
    )
    firsts = []
    for donation in donations:
        pair = (donation.campaign_id, donation.email)
        firsts.append(pair not in seen)
        seen.add(pair)
    return firsts


def counts_as_donor_elsewhere(donation: Donation) -> bool:
    """Another donation of this email to this campaign still counts (succeeded)."""
    return (
        Donation.objects.filter(
            campaign_id=donation.campaign_id, email=donation.email, status=S.SUCCEEDED
        )
        .exclude(pk=donation.pk)
        .exists()
    )
