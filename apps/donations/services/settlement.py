"""Settlement: ONE path credits a donation, whichever way Paystack's word arrives (the
charge.success webhook, the verify endpoint after its grace period, the reconciler).

It credits only what Paystack's verify call confirms: status success with the amount
and currency we asked to charge. Then, in one durable transaction, in the global lock
order (apps.core.locks):

    donation -> campaign -> donor aggregate -> ledger accounts (the posting)

the donation becomes succeeded (its timeline says so), the ledger posts
`donation:<id>:succeeded` (which also raises the campaign's raised_amount by the gift),
the leaderboard aggregate and the donor count change; after commit the cached campaign
views are dropped and the receipt and the organiser's notice are sent. A donation
already succeeded or refunded is left alone ("duplicate"); the row lock makes
concurrent deliveries wait and then see it.

Batches (issue 15). A worker running many settlements at once (the threads pool, each
thread waiting on Paystack's verify) would otherwise queue them all on one campaign's row
lock, one transaction each, when a campaign goes viral. So the last step is combined:
the settlements waiting in one process are credited together by whichever thread gets
there first, in ONE transaction that takes each lock once, in the same order (donations
in primary-key order, then campaigns, donor rows, ledger accounts), posts one ledger
transaction per donation (`donation:<id>:succeeded`, unchanged) and changes each account,
campaign and donor row once by the exact sum. Exactness does not depend on batching: the
rows are locked, and a batch is refused or applied whole (then retried one by one).

Paystack is always called outside any transaction of ours: no row lock is held over the
network, and on SQLite (`make run`) the sandbox serving the call can write.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.campaigns.cache import campaign_cache_invalidate
from apps.campaigns.models import Campaign
from apps.core.errors import NotFound
from apps.core.locks import lock_campaigns, lock_donation, lock_donations
from apps.core.timeline import timeline_entry_build
from apps.currency.money import format_money
from apps.ledger.services import ledger_post_donations_succeeded
from apps.payments.paystack import (
    PaystackError,
    PaystackNotFound,
    TransactionVerification,
    get_paystack_client,
)

from ..models import Donation, DonationEvent, donor_fallback_name
from .common import (
    E,
    Outcome,
    S,
    aggregates_add,
    donation_event_record,
    flag_for_review,
    new_donors,
    status_change,
)
from .organizer_notice import organizer_notice_schedule

logger = logging.getLogger("apps.donations.services")

# Paystack statuses that mean "the customer may still be paying".
_IN_FLIGHT = frozenset({"ongoing", "pending", "processing", "queued"})


class SettlementDeferred(Exception):
    """Paystack's verify does not (yet) confirm a charge.success; the event is retried."""


def _attempt(donation: Donation | Any, *, source: str, outcome: str, **data: Any) -> None:
    """A settlement attempt that changed nothing, on the timeline."""
    donation_event_record(
        donation=donation,
        type=E.SETTLEMENT_ATTEMPT,
        source=source,
        data={"outcome": str(outcome), **data},
    )


def _verification_problem(donation: Donation, verification: TransactionVerification) -> str:
    """Why Paystack's verify answer does not allow crediting this donation ('' if it does)."""
    if verification.reference and verification.reference != donation.reference:
        return f"Paystack verify answered for reference {verification.reference}."
    if verification.amount != donation.charged_amount or verification.currency != (
        donation.currency_id
    ):
        return (
            f"Paystack verify reports {verification.amount} {verification.currency}; we asked "
            f"to charge {donation.charged_amount} {donation.currency_id}."
        )
    if not verification.succeeded:
        return f"Paystack verify reports status {verification.status!r}, not success."
    return ""


def donation_settle_charge(
    *, donation: Donation, verification: TransactionVerification, source: str
) -> Outcome:
    """Credit a donation that Paystack's verify call confirms; the event outcome.

    "applied": credited now. "duplicate": already succeeded or refunded. "ignored": the
    verify answer disagrees (amount, currency, status): nothing is credited, the donation
    is marked for review and an alert logged.

    Concurrent settlements in one process are combined (`_COMBINER`): one thread at a
    time settles everything waiting, in one transaction, and the others wait for their
    outcome. See the module docstring.
    """
    problem = _verification_problem(donation, verification)
    if problem:
        return flag_for_review(donation, problem, source=source)
    pending = _Pending(donation=donation, verification=verification, source=source)
    if transaction.get_connection().in_atomic_block:
        # The caller's transaction must hold its own settlement: no combining (a batch
        # led from here would put other threads' donations in it too).
        _settle_batch([pending])
        outcome = pending.result()
    else:
        outcome = _COMBINER.settle(pending)
    if outcome == Outcome.APPLIED:
        # Committed: the receipt and the organiser's notice, from this thread (in
        # parallel with the others, not one after another by the thread that settled).
        logger.info(
            "donation succeeded",
            extra={
                "donation_id": str(donation.pk),
                "donation_reference": donation.reference,
                "campaign_id": str(donation.campaign_id),
                "gift": donation.gift_campaign,
                "currency": donation.campaign_currency_id,
                "via": source,
            },
        )
        transaction.on_commit(partial(_notify_succeeded, str(donation.pk), donation.campaign_id))
    return outcome


@dataclass(eq=False)
class _Pending:
    """A settlement waiting for its batch."""

    donation: Donation
    verification: TransactionVerification
    source: str
    finished: bool = False
    outcome: Outcome | None = None
    error: BaseException | None = None

    def result(self) -> Outcome:
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


class _Combiner:
    """Flat combining of settlements within a process (a threads-pool worker runs many
    at once while each waits on Paystack's verify).

    A thread with a settlement to make queues it; if nobody is settling, it takes up to
    `SETTLEMENT_BATCH_MAX` queued settlements (its own among them or not: it keeps going
    until its own is done) and settles them in ONE transaction, which locks each
    donation, campaign, donor row and ledger account once however many donations of one
    campaign it credits. Under no load a batch is one settlement and nobody waits; under
    load the batch grows with the queue, so the campaign's row is locked once per batch
    instead of once per donation. A batch that fails is settled again one donation at a
    time, so one bad donation fails alone.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[_Pending] = []
        self._busy = False

    def settle(self, item: _Pending) -> Outcome:
        with self._cond:
            self._queue.append(item)
        while True:
            with self._cond:
                while self._busy and not item.finished:
                    self._cond.wait()
                if item.finished:
                    return item.result()
                self._busy = True
                size = max(1, int(settings.SETTLEMENT_BATCH_MAX))
                batch, self._queue = self._queue[:size], self._queue[size:]
            started = time.perf_counter()
            try:
                _settle_batch(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
            logger.debug(
                "settlement batch",
                extra={"size": len(batch), "ms": (time.perf_counter() - started) * 1000},
            )


_COMBINER = _Combiner()


def _settle_batch(batch: list[_Pending]) -> None:
    """Settle `batch` in one transaction, or one at a time if that fails; every item
    ends finished with its outcome or its error."""
    try:
        outcomes = _settle_together(batch)
    except Exception as exc:
        if len(batch) == 1:
            batch[0].error = exc
        else:
            logger.warning("a settlement batch failed; settling one at a time: %s", exc)
            for item in batch:
                try:
                    item.outcome = _settle_together([item])[0]
                except Exception as single:
                    item.error = single
    else:
        for item, outcome in zip(batch, outcomes, strict=True):
            item.outcome = outcome
    finally:
        for item in batch:
            item.finished = True


def _settle_together(batch: list[_Pending]) -> list[Outcome]:
    """One durable transaction, in the global lock order: the donations (one query, pk
    order), their campaigns (pk order), then the donor rows and the ledger accounts
    (credit_locked_donations)."""
    outcomes: dict[Any, Outcome] = {}
    credits: list[Credit] = []
    with transaction.atomic(durable=True):
        locked = lock_donations({item.donation.pk for item in batch})
        for item in batch:
            row = locked[item.donation.pk]
            if row.pk in outcomes or row.status in (S.SUCCEEDED, S.REFUNDED):
                status = S.SUCCEEDED if row.pk in outcomes else row.status
                _attempt(row, source=item.source, outcome=Outcome.DUPLICATE, status=status)
                outcomes.setdefault(row.pk, Outcome.DUPLICATE)
                continue
            outcomes[row.pk] = Outcome.APPLIED
            if row.status != S.PENDING:
                logger.warning(
                    "a %s donation was paid after all: settling it",
                    row.status,
                    extra={"donation_id": str(row.pk), "donation_reference": row.reference},
                )
            verification = item.verification
            credits.append(
                Credit(
                    donation=row,
                    source=item.source,
                    paid_at=verification.paid_at or timezone.now(),
                    channel=verification.channel or "",
                    paystack_transaction_id=verification.id,
                    event_data={"amount": verification.amount, "currency": verification.currency},
                )
            )
        if credits:
            campaigns = lock_campaigns({credit.donation.campaign_id for credit in credits})
            credit_locked_donations(credits, campaigns, notify=False)
    # A donation twice in one batch: the first is applied, the second a duplicate.
    results: list[Outcome] = []
    first: set[Any] = set()
    for item in batch:
        pk = item.donation.pk
        results.append(outcomes[pk] if pk not in first else Outcome.DUPLICATE)
        first.add(pk)
    return results


@dataclass
class Credit:
    """One donation for `credit_locked_donations`."""

    donation: Donation
    source: str
    paid_at: datetime
    channel: str
    paystack_transaction_id: int | None = None
    event_data: dict[str, Any] | None = None
    memo: dict[str, Any] | None = None


def credit_locked_donation(
    locked: Donation,
    campaign: Campaign,
    *,
    source: str,
    paid_at: datetime,
    channel: str,
    paystack_transaction_id: int | None = None,
    event_data: dict[str, Any] | None = None,
    memo: dict[str, Any] | None = None,
) -> None:
    """Credit one donation (the offline import): `credit_locked_donations` of one."""
    credit_locked_donations(
        [
            Credit(
                donation=locked,
                source=source,
                paid_at=paid_at,
                channel=channel,
                paystack_transaction_id=paystack_transaction_id,
                event_data=event_data,
                memo=memo,
            )
        ],
        {campaign.pk: campaign},
    )


def credit_locked_donations(
    credits: Sequence[Credit], campaigns: Mapping[Any, Campaign], *, notify: bool = True
) -> None:
    """Credit donations: THE settlement step, shared by Paystack settlement (a batch) and
    the offline import (one at a time). The caller's transaction holds each donation's
    row lock (or created the row) and each campaign's, in the global lock order.

    Each donation becomes succeeded (its timeline says so), the ledger posts
    `donation:<id>:succeeded` (raising raised_amount by the gift), the leaderboard
    aggregates and the donor counts change, the cached campaign views are dropped and,
    after commit, the receipts and the organisers' notices are sent (`notify=False`: the
    caller sends them, `_notify_succeeded`, once committed). Whatever the number
    of donations: one insert of timeline entries, one update of the donations, one lock
    of the donor rows and the ledger accounts, one update per campaign.
    """
    if not credits:
        return
    donations = [credit.donation for credit in credits]
    firsts = new_donors(donations)
    events: list[DonationEvent] = []
    now = timezone.now()
    for credit in credits:
        locked = credit.donation
        locked.paid_at = credit.paid_at
        locked.channel = credit.channel[:30]
        locked.paystack_transaction_id = credit.paystack_transaction_id
        locked.settled_via = credit.source[:20]
        locked.organizer_notice_pending = True
        status_change(
            locked,
            to=S.SUCCEEDED,
            type=E.SUCCEEDED,
            source=credit.source,
            built=events,
            **{
                **(credit.event_data or {}),
                "channel": locked.channel,
                "paystack_transaction_id": credit.paystack_transaction_id,
            },
        )
        _clear_review(locked, source=credit.source, built=events)
        locked.updated_at = now
    DonationEvent.objects.bulk_create(events)
    Donation.objects.bulk_update(
        donations,
        [
            "status",
            "status_changed_at",
            "updated_at",
            "paid_at",
            "channel",
            "paystack_transaction_id",
            "settled_via",
            "needs_review",
            "review_reason",
            "organizer_notice_pending",
        ],
    )
    aggregates_add(donations)
    postings = []
    for credit in credits:
        locked = credit.donation
        cross = locked.currency_id != locked.campaign_currency_id
        postings.append(
            {
                "reference": f"donation:{locked.pk}:succeeded",
                "campaign": campaigns[locked.campaign_id],
                "charged_amount": locked.charged_amount,
                "charged_currency": locked.currency_id,
                "gift": locked.gift_campaign,
                "fee": locked.fee_campaign,
                "tip": locked.tip_campaign,
                "net_to_campaign": locked.net_campaign,
                "fx_rate": locked.fx_rate if cross else None,
                "memo": {
                    "donation_id": str(locked.pk),
                    "donation_reference": locked.reference,
                    **(credit.memo or {}),
                },
            }
        )
    ledger_post_donations_succeeded(postings)
    donors: Counter[Any] = Counter(
        d.campaign_id for d, first in zip(donations, firsts, strict=True) if first
    )
    for campaign_id in sorted(donors, key=str):
        Campaign.objects.filter(pk=campaign_id).update(
            donor_count=F("donor_count") + donors[campaign_id]
        )
    for campaign_id in sorted({d.campaign_id for d in donations}, key=str):
        campaign_cache_invalidate(campaign_id)
    if notify:
        for donation in donations:
            transaction.on_commit(
                partial(_notify_succeeded, str(donation.pk), donation.campaign_id)
            )


def _clear_review(
    locked: Donation, *, source: str, built: list[DonationEvent] | None = None
) -> list[str]:
    """A flagged donation that now settles cleanly (Paystack's verify confirmed the amount,
    currency and success) needs no review any more: clear the flag and say so on the
    timeline, with the reasons it had (the flag itself is already there). The fields to
    save. With `built`, the timeline entry is appended to it unsaved."""
    if not locked.needs_review:
        return []
    entry = timeline_entry_build(
        DonationEvent,
        owner_field="donation",
        owner=locked,
        type=E.REVIEW_CLEARED,
        source=source,
        data={
            "reasons": [r for r in locked.review_reason.split("\n") if r],
            "why": "settled cleanly: Paystack's verify confirmed the charge",
        },
    )
    if built is None:
        entry.save(force_insert=True)
    else:
        built.append(entry)
    locked.needs_review = False
    locked.review_reason = ""
    return ["needs_review", "review_reason"]


def _notify_succeeded(donation_id: str, campaign_id: Any) -> None:
    """After commit: the donor's receipt, and the organiser's coalesced notice scheduled
    (organizer_notice.py). Never raises: the money is settled whatever happens to an
    email."""
    from apps.notifications.services import notification_send

    try:
        donation = Donation.objects.select_related("campaign", "donor").get(pk=donation_id)
        campaign = donation.campaign
        notification_send(
            channel="email",
            template="donation_receipt",
            recipient=donation.email,
            user=donation.donor,
            context={
                "campaign_title": campaign.title,
                "campaign_url": f"{settings.FRONT_END_URL.rstrip('/')}/campaigns/{campaign.slug}",
                "reference": donation.reference,
                "donor_name": donation.name or donor_fallback_name(donation.donor),
                "charged_display": format_money(donation.charged_amount, donation.currency_id),
                "gift_display": format_money(donation.amount, donation.currency_id),
                "fee_display": format_money(donation.fee_amount, donation.currency_id),
                "tip_display": format_money(donation.tip_amount, donation.currency_id),
                "cover_fee": donation.cover_fee,
                "has_tip": donation.tip_amount > 0,
                "anonymous": donation.anonymous,
                "paid_at": (donation.paid_at or timezone.now()).strftime("%d %B %Y, %H:%M UTC"),
            },
        )
    except Exception:
        logger.exception("donation receipt not sent", extra={"donation_id": donation_id})
    organizer_notice_schedule(campaign_id)


def donation_apply_charge_success(
    *, reference: str, data: dict[str, Any], source: str = "webhook"
) -> Outcome:
    """A charge.success event: the event must match what we asked to charge and Paystack's
    verify must agree; then the one settlement path. Unknown references are ignored."""
    donation = Donation.objects.filter(reference=reference).first()
    if donation is None:
        logger.info("charge.success for an unknown reference", extra={"reference": reference})
        return Outcome.IGNORED
    if donation.status in (S.SUCCEEDED, S.REFUNDED):
        with transaction.atomic():
            _attempt(donation, source=source, outcome=Outcome.DUPLICATE, status=donation.status)
        return Outcome.DUPLICATE
    # Paystack documents charge.success amounts as integers; anything else is suspect.
    amount, currency = data.get("amount"), str(data.get("currency") or "").upper()
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or (amount != donation.charged_amount or currency != donation.currency_id)
    ):
        return flag_for_review(
            donation,
            f"charge.success reports {data.get('amount')!r} {currency or '?'}; we asked to "
            f"charge {donation.charged_amount} {donation.currency_id}.",
            source=source,
        )
    verification = get_paystack_client().verify_transaction(donation.reference)
    if verification.status in _IN_FLIGHT and verification.amount == donation.charged_amount:
        with transaction.atomic():
            _attempt(
                donation, source=source, outcome="deferred", paystack_status=verification.status
            )
        raise SettlementDeferred(
            f"charge.success received but Paystack verify still says {verification.status!r}"
        )
    return donation_settle_charge(donation=donation, verification=verification, source=source)


def _set_final_status(
    *,
    donation_id: Any,
    status: str,
    type: E,
    reason: str,
    source: str,
    only_from: tuple[str, ...] = (S.PENDING,),
) -> bool:
    with transaction.atomic(durable=True):
        locked = lock_donation(donation_id)
        if locked.status not in only_from:
            return False
        locked.failure_reason = reason[:500]
        fields = status_change(locked, to=status, type=type, source=source, reason=reason)
        locked.save(update_fields=[*fields, "failure_reason"])
    logger.info(
        "donation %s", status, extra={"donation_id": str(donation_id), "reason": reason[:200]}
    )
    return True


def donation_mark_failed(*, donation: Donation, reason: str, source: str = "") -> bool:
    """Paystack says the charge failed. Only a pending donation changes; True if it did."""
    return _set_final_status(
        donation_id=donation.pk, status=S.FAILED, type=E.FAILED, reason=reason, source=source
    )


def donation_abandon(*, donation: Donation, reason: str, source: str = "reconciler") -> bool:
    """Never paid: only a pending donation changes; True if it did."""
    return _set_final_status(
        donation_id=donation.pk, status=S.ABANDONED, type=E.ABANDONED, reason=reason, source=source
    )


def donation_apply_charge_failed(*, reference: str, data: dict[str, Any]) -> Outcome:
    """charge.failed: sent by our sandbox. Paystack documents no such event (a failed
    payment is learnt from verify, by the reconciler); nothing depends on it."""
    donation = Donation.objects.filter(reference=reference).first()
    if donation is None:
        return Outcome.IGNORED
    reason = str(data.get("gateway_response") or data.get("message") or "The charge failed.")
    changed = donation_mark_failed(
        donation=donation, reason=f"Paystack: {reason}", source="webhook"
    )
    return Outcome.APPLIED if changed else Outcome.IGNORED


def donation_check_with_paystack(*, donation: Donation, source: str, abandon: bool) -> Outcome:
    """Ask Paystack about a pending donation and act on the answer (the verify endpoint
    and the reconciler)."""
    try:
        verification = get_paystack_client().verify_transaction(donation.reference)
    except PaystackNotFound:
        if abandon and donation_abandon(
            donation=donation,
            reason="Paystack has no transaction with this reference.",
            source=source,
        ):
            return Outcome.ABANDONED
        with transaction.atomic():
            _attempt(donation, source=source, outcome=Outcome.PENDING, paystack="not found")
        return Outcome.PENDING
    except PaystackError as exc:
        logger.warning(
            "paystack verify failed for a pending donation: %s",
            exc,
            extra={"donation_reference": donation.reference},
        )
        with transaction.atomic():
            _attempt(donation, source=source, outcome=Outcome.UNREACHABLE, error=str(exc)[:500])
        return Outcome.UNREACHABLE
    if verification.succeeded:
        return donation_settle_charge(donation=donation, verification=verification, source=source)
    if verification.status == "failed":
        reason = f"Paystack: {verification.gateway_response or 'the charge failed'}"
        if donation_mark_failed(donation=donation, reason=reason, source=source):
            return Outcome.FAILED
        return Outcome.PENDING
    if abandon and donation_abandon(
        donation=donation,
        reason=f"Not paid within the time allowed (Paystack status {verification.status!r}).",
        source=source,
    ):
        return Outcome.ABANDONED
    with transaction.atomic():
        _attempt(
            donation, source=source, outcome=Outcome.PENDING, paystack_status=verification.status
        )
    return Outcome.PENDING


def donation_refresh(*, reference: str) -> Donation:
    """The donation by reference for the verify endpoint; a pending one older than the
    grace period is checked with Paystack (at most once per grace period) and settled
    through the same path as the webhook."""
    donation = (
        Donation.objects.select_related("campaign").filter(reference=reference).first()
        if reference
        else None
    )
    if donation is None:
        raise NotFound("No donation has this reference.")
    grace = int(settings.DONATION_VERIFY_GRACE_SECONDS)
    if (
        donation.status == S.PENDING
        and not donation.needs_review
        and donation.created_at <= timezone.now() - timedelta(seconds=grace)
        and _verify_slot(donation.reference, grace)
    ):
        donation_check_with_paystack(donation=donation, source="verify", abandon=False)
        donation.refresh_from_db()
    return donation


def _verify_slot(reference: str, seconds: int) -> bool:
    """One Paystack check per donation per grace period, however often a client polls."""
    from django.core.cache import cache

    try:
        return bool(cache.add(f"donations:verify:{reference}", 1, timeout=max(1, seconds)))
    except Exception:  # the cache being down must not stop the check
        return True


def donations_reconcile(*, older_than_minutes: int | None = None, limit: int = 200) -> Counter[str]:
    """Pending donations older than DONATION_ABANDON_AFTER_MINUTES: settled if Paystack
    says success, failed if it says failed, abandoned otherwise. Donations marked for
    review are left to staff. Counts by outcome."""
    if older_than_minutes is None:
        older_than_minutes = int(settings.DONATION_ABANDON_AFTER_MINUTES)
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stale = list(
        Donation.objects.filter(
            status=S.PENDING, needs_review=False, created_at__lt=cutoff
        ).order_by("created_at")[:limit]
    )
    counts: Counter[str] = Counter()
    for donation in stale:
        try:
            outcome = donation_check_with_paystack(
                donation=donation, source="reconciler", abandon=True
            )
            counts[str(outcome)] += 1
        except Exception:
            logger.exception(
                "donation reconcile failed", extra={"donation_reference": donation.reference}
            )
            counts["error"] += 1
    return counts
