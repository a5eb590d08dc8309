"""Refunds: staff ask, Paystack reports, the ledger follows.

`donation_refund` (staff) reserves the campaign's share with a ledger hold and writes the
audit row and the donation's timeline in one transaction, then asks Paystack. Paystack's
refund events settle it (`donation_refund_apply_event`):

* `refund.processed`: the hold is released, `refund:<id>` posted, the donation, the
  leaderboard aggregate and the donor count updated; once, however often it arrives;
* `refund.failed`: the refund is failed and its hold released; staff may try again;
* `refund.pending` / `refund.processing`: recorded on the refund and the timeline;
* any other refund status: the donation is flagged for staff.

Paystack's refund events carry `transaction_reference` (our donation reference),
`refund_reference` (null until Paystack has one) and `amount`, often as a string, and
no `id`. An event is matched to our refund by its refund reference once we know it,
else by the amount among the donation's refunds that have none yet (pending first,
oldest first). Locks, in the global order: donation -> refunds -> campaign -> ledger.
See README.md for the rules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.services import audit_log
from apps.campaigns.cache import campaign_cache_invalidate
from apps.campaigns.models import Campaign
from apps.core.errors import Conflict, Forbidden, UpstreamError
from apps.core.locks import lock_campaign, lock_donation, lock_refunds
from apps.currency.money import format_money
from apps.ledger.selectors import campaign_balances
from apps.ledger.services import (
    InsufficientFunds,
    ledger_post_hold,
    ledger_post_refund,
    ledger_post_release,
)
from apps.payments.paystack import PaystackError, get_paystack_client, paystack_amount

from ..models import REASON_MAX_LENGTH, Donation, DonationRefund, RefundStatus
from .common import (
    E,
    Outcome,
    S,
    aggregate_subtract,
    counts_as_donor_elsewhere,
    donation_event_record,
    flag_for_review,
    invalid,
    status_change,
)
from .offline import OFFLINE_SOURCE

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger("apps.donations.services")

# Paystack's refund statuses that are on the way (neither processed nor failed).
REFUND_IN_PROGRESS = frozenset({"pending", "processing"})


@dataclass(frozen=True)
class RefundPlan:
    amount: int  # donation currency
    net_part: int  # campaign currency, from available
    fee_part: int
    tip_part: int
    gift_part: int
    completes: bool


def _refund_reserved(donation: Donation) -> dict[str, int]:
    totals = donation.refunds.exclude(status=RefundStatus.FAILED).aggregate(
        net=Sum("net_part"), fee=Sum("fee_part"), tip=Sum("tip_part")
    )
    pending = donation.refunds.filter(status=RefundStatus.PENDING).aggregate(amount=Sum("amount"))
    return {
        "net": totals["net"] or 0,
        "fee": totals["fee"] or 0,
        "tip": totals["tip"] or 0,
        "pending": pending["amount"] or 0,
    }


def donation_refund_plan(*, donation: Donation, amount: int | None) -> RefundPlan:
    """What a refund of `amount` (donation currency; None: all that is left) takes back.

    Refunding all that is left gives back the rest of the campaign's share, the fee and
    the tip. A partial refund comes from the campaign's share only, and must leave part
    of it (so the final refund always has a share to take back).
    """
    currency = donation.currency_id
    reserved = _refund_reserved(donation)
    remaining = donation.charged_amount - donation.refunded_amount - reserved["pending"]
    if remaining <= 0:
        raise Conflict(
            "Nothing is left to refund on this donation (refunds in progress count).",
            code="nothing_to_refund",
        )
    net_left = donation.net_campaign - reserved["net"]
    if amount is None or amount == remaining:
        fee_left = donation.fee_campaign - reserved["fee"]
        tip_left = donation.tip_campaign - reserved["tip"]
        return RefundPlan(
            amount=remaining,
            net_part=net_left,
            fee_part=fee_left,
            tip_part=tip_left,
            gift_part=net_left + (0 if donation.cover_fee else fee_left),
            completes=True,
        )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise invalid("amount", "Must be a whole number of minor units above zero.")
    if amount > remaining:
        raise Conflict(
            f"At most {format_money(remaining, currency)} ({remaining}) is left to refund on "
            "this donation.",
            code="refund_too_large",
            extra={"refundable": remaining, "currency": currency},
        )
    if donation.currency_id == donation.campaign_currency_id:
        share = amount
    else:  # the charge's own proportion: the rate the donation used, with its rounding
        share = int(
            (Decimal(amount) * donation.total_campaign / donation.charged_amount).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
    if share < 1 or share >= net_left:
        most = net_left - 1
        raise Conflict(
            "A partial refund comes from the campaign's share and must leave part of it: at "
            f"most {format_money(max(most, 0), donation.campaign_currency_id)} in the "
            f"campaign's currency. Refund all that is left ({format_money(remaining, currency)}) "
            "to give back the fee and tip too.",
            code="refund_too_large",
            extra={"refundable": remaining, "currency": currency},
        )
    return RefundPlan(
        amount=amount, net_part=share, fee_part=0, tip_part=0, gift_part=share, completes=False
    )


def donation_refund(
    *,
    donation: Donation,
    actor: User | None,
    amount: int | None = None,
    reason: str,
    request: HttpRequest | None = None,
) -> DonationRefund:
    """Staff refund of a succeeded donation, in full (`amount=None`) or in part.

    Refused (409) beyond what is left to refund or beyond the campaign's available
    balance. The campaign's share is held in the ledger and the audit row written in one
    transaction; then Paystack is asked. refund.processed settles it. Paystack refusing
    or unreachable: the refund is failed, the hold released, 502.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("Only staff can refund donations.")
    if not actor.has_perm("donations.refund_donation"):
        raise Forbidden("This needs the donations.refund_donation permission.")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "Say why the donation is refunded.")
    if len(reason) > REASON_MAX_LENGTH:
        raise invalid("reason", f"At most {REASON_MAX_LENGTH} characters.")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0
    ):
        raise invalid("amount", "Must be a whole number of minor units above zero.")

    with transaction.atomic(durable=True):
        locked = lock_donation(donation.pk)
        lock_refunds(donation_id=locked.pk)
        campaign = lock_campaign(locked.campaign_id)
        if locked.status != S.SUCCEEDED:
            raise Conflict(
                f"Only a succeeded donation can be refunded; this one is {locked.status}.",
                code="donation_not_refundable",
                extra={"status": locked.status},
            )
        if locked.settled_via == OFFLINE_SOURCE:
            raise Conflict(
                "This donation was received outside Paystack (imported as an offline bank "
                "transfer), so Paystack cannot refund it: pay it back by bank transfer.",
                code="donation_offline",
            )
        plan = donation_refund_plan(donation=locked, amount=amount)
        available = int(campaign_balances(campaign)["available"])
        if plan.net_part > available:
            raise InsufficientFunds(
                "The campaign's available balance is "
                f"{format_money(available, campaign.currency_id)} ({available}); this refund "
                f"needs {format_money(plan.net_part, campaign.currency_id)} ({plan.net_part}) "
                "from it. Funds already withdrawn or on hold cannot be refunded.",
                extra={
                    "available": available,
                    "currency": campaign.currency_id,
                    "needed": plan.net_part,
                },
            )
        refund = DonationRefund.objects.create(
            donation=locked,
            amount=plan.amount,
            currency_id=locked.currency_id,
            net_part=plan.net_part,
            fee_part=plan.fee_part,
            tip_part=plan.tip_part,
            gift_part=plan.gift_part,
            completes=plan.completes,
            reason=reason,
            requested_by=actor,
        )
        ledger_post_hold(
            reference=f"refund:{refund.pk}:hold",
            campaign=campaign,
            amount=plan.net_part,
            memo={"refund_id": str(refund.pk), "donation_id": str(locked.pk)},
        )
        donation_event_record(
            donation=locked,
            type=E.REFUND_REQUESTED,
            source="staff",
            actor=actor,
            data={
                "refund_id": str(refund.pk),
                "amount": plan.amount,
                "currency": locked.currency_id,
                "completes": plan.completes,
                "reason": reason,
            },
        )
        audit_log(
            actor=actor,
            action="donation.refund",
            target_type="donation",
            target_id=str(locked.pk),
            before={"status": locked.status, "refunded_amount": locked.refunded_amount},
            after={
                "refund_id": str(refund.pk),
                "amount": plan.amount,
                "currency": locked.currency_id,
                "completes": plan.completes,
                "reason": reason,
            },
            request=request,
        )

    try:
        answer = get_paystack_client().create_refund(
            transaction=locked.reference,
            amount=plan.amount,
            currency=locked.currency_id,
            merchant_note=reason[:500],
        )
    except PaystackError as exc:
        _refund_failed(refund_id=refund.pk, error=str(exc), source="paystack")
        raise UpstreamError(
            f"Paystack did not accept the refund, so nothing was refunded: {exc.message}",
            code="paystack_refund_failed",
            extra={"refund_id": str(refund.pk)},
        ) from exc
    paystack_id = "" if answer.id is None else str(answer.id)
    DonationRefund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        paystack_status=answer.status[:30], updated_at=timezone.now()
    )
    if paystack_id:
        # a refund event may have come first and recorded the id already
        DonationRefund.objects.filter(pk=refund.pk, paystack_refund_id="").update(
            paystack_refund_id=paystack_id
        )
    refund.refresh_from_db()
    logger.info(
        "donation refund requested",
        extra={"refund_id": str(refund.pk), "donation_id": str(locked.pk), "amount": plan.amount},
    )
    return refund


def _release_failed_refund(
    *, donation: Donation, refund: DonationRefund, campaign: Campaign, error: str, source: str
) -> None:
    """Inside a transaction holding donation -> refund -> campaign: fail a pending refund
    and release its hold."""
    ledger_post_release(
        reference=f"refund:{refund.pk}:release",
        campaign=campaign,
        amount=refund.net_part,
        memo={"refund_id": str(refund.pk), "why": "refund failed"},
    )
    refund.status = RefundStatus.FAILED
    refund.error = error[:2000]
    refund.save(update_fields=["status", "error", "paystack_status", "updated_at"])
    donation_event_record(
        donation=donation,
        type=E.REFUND_FAILED,
        source=source,
        data={
            "refund_id": str(refund.pk),
            "amount": refund.amount,
            "currency": refund.currency_id,
            "error": error[:500],
        },
    )


def _refund_failed(*, refund_id: Any, error: str, source: str) -> None:
    """Paystack refused or could not be reached: release the hold (unless it settled)."""
    donation_id = DonationRefund.objects.values_list("donation_id", flat=True).get(pk=refund_id)
    with transaction.atomic(durable=True):
        donation = lock_donation(donation_id)
        refund = next(r for r in lock_refunds(donation_id=donation_id) if r.pk == refund_id)
        campaign = lock_campaign(donation.campaign_id)
        if refund.status != RefundStatus.PENDING:
            return
        _release_failed_refund(
            donation=donation, refund=refund, campaign=campaign, error=error, source=source
        )
    logger.warning(
        "donation refund failed at Paystack: %s", error, extra={"refund_id": str(refund_id)}
    )


def _match_refund(
    refunds: list[DonationRefund], *, refund_reference: str, paystack_id: str, amount: int | None
) -> DonationRefund | None:
    """Which of a donation's refunds (locked) a Paystack refund event is about."""
    if refund_reference:
        for refund in refunds:
            if refund.paystack_refund_reference == refund_reference:
                return refund
    if paystack_id:
        for refund in refunds:
            if refund.paystack_refund_id == paystack_id:
                return refund
    if amount is None:
        return None
    candidates = [
        r
        for r in refunds
        if r.amount == amount
        and not r.paystack_refund_reference
        and (not paystack_id or not r.paystack_refund_id)
    ]
    order: dict[str, int] = {
        RefundStatus.PENDING: 0,
        RefundStatus.FAILED: 1,
        RefundStatus.PROCESSED: 2,
    }
    candidates.sort(key=lambda r: (order[r.status], r.created_at))
    return candidates[0] if candidates else None


def donation_refund_apply_event(
    *,
    event_type: str,
    reference: str,
    data: dict[str, Any],
    source: str = "webhook",
) -> Outcome:
    """Apply one of Paystack's refund events (refund.pending, .processing, .processed,
    .failed, or a status we do not know) to the refund it is about. Idempotent:
    repeated, late and out-of-order events change nothing."""
    donation = Donation.objects.filter(reference=reference).first() if reference else None
    if donation is None:
        logger.info("%s for an unknown reference", event_type, extra={"reference": reference})
        return Outcome.IGNORED
    status = str(data.get("status") or event_type.rpartition(".")[2]).lower()
    raw_amount = data.get("amount")
    amount = paystack_amount(raw_amount)
    currency = str(data.get("currency") or "").upper()
    refund_reference = str(data.get("refund_reference") or "")[:100]
    paystack_id = "" if data.get("id") is None else str(data.get("id"))[:64]
    describe = (
        f"{event_type} for {raw_amount!r} {currency or '?'} (Paystack refund "
        f"{refund_reference or paystack_id or '?'})"
    )
    with transaction.atomic(durable=True):
        locked = lock_donation(donation.pk)
        refunds = lock_refunds(donation_id=locked.pk)
        campaign = lock_campaign(locked.campaign_id)
        refund = _match_refund(
            refunds, refund_reference=refund_reference, paystack_id=paystack_id, amount=amount
        )
        if refund is None:
            return flag_for_review(
                locked, f"{describe} matches no refund we asked for.", source=source, locked=True
            )
        if refund_reference and not refund.paystack_refund_reference:
            refund.paystack_refund_reference = refund_reference
        if paystack_id and not refund.paystack_refund_id:
            refund.paystack_refund_id = paystack_id
        if amount != refund.amount or currency != refund.currency_id:
            return flag_for_review(
                locked,
                f"{describe} does not match refund {refund.pk} of {refund.amount} "
                f"{refund.currency_id}.",
                source=source,
                locked=True,
            )
        if status == "processed":
            return _refund_processed(locked, refund, campaign, source=source)
        if status == "failed":
            if refund.status == RefundStatus.FAILED:
                return Outcome.DUPLICATE
            if refund.status == RefundStatus.PROCESSED:
                return flag_for_review(
                    locked,
                    f"{describe}: refund {refund.pk} was already processed.",
                    source=source,
                    locked=True,
                )
            refund.paystack_status = "failed"
            _release_failed_refund(
                donation=locked,
                refund=refund,
                campaign=campaign,
                error=f"Paystack reported the refund failed ({data.get('processor') or '?'}).",
                source=source,
            )
            return Outcome.APPLIED
        if status in REFUND_IN_PROGRESS:
            if refund.status != RefundStatus.PENDING or refund.paystack_status == status:
                refund.save(
                    update_fields=["paystack_refund_reference", "paystack_refund_id", "updated_at"]
                )
                return Outcome.DUPLICATE
            refund.paystack_status = status
            refund.save(
                update_fields=[
                    "paystack_status",
                    "paystack_refund_reference",
                    "paystack_refund_id",
                    "updated_at",
                ]
            )
            donation_event_record(
                donation=locked,
                type=E.REFUND_UPDATED,
                source=source,
                data={"refund_id": str(refund.pk), "paystack_status": status},
            )
            return Outcome.APPLIED
        return flag_for_review(
            locked,
            f"{describe} reports a refund status we do not know: {status!r}.",
            source=source,
            locked=True,
        )


def _refund_processed(
    locked: Donation, refund: DonationRefund, campaign: Campaign, *, source: str
) -> Outcome:
    """Inside the event's transaction: the money went back to the donor; settle it once."""
    if refund.status == RefundStatus.PROCESSED:
        refund.save(update_fields=["paystack_refund_reference", "paystack_refund_id", "updated_at"])
        return Outcome.DUPLICATE
    if refund.status == RefundStatus.PENDING:
        ledger_post_release(
            reference=f"refund:{refund.pk}:release",
            campaign=campaign,
            amount=refund.net_part,
            memo={"refund_id": str(refund.pk), "why": "refund processed"},
        )
    elif locked.refunded_amount + refund.amount > locked.charged_amount:
        return flag_for_review(
            locked,
            f"refund {refund.pk} would refund more than was charged.",
            source=source,
            locked=True,
        )
    try:
        with transaction.atomic():
            ledger_post_refund(
                reference=f"refund:{refund.pk}",
                campaign=campaign,
                amount=refund.net_part,
                fee_returned=refund.fee_part,
                tip_returned=refund.tip_part,
                gift=refund.gift_part,
                memo={"refund_id": str(refund.pk), "donation_id": str(locked.pk)},
            )
    except InsufficientFunds as exc:  # only a refund we had given up on (its hold went)
        return flag_for_review(
            locked,
            f"refund {refund.pk} could not be posted: {exc.message}",
            source=source,
            locked=True,
        )
    now = timezone.now()
    refund.status = RefundStatus.PROCESSED
    refund.processed_at = now
    refund.paystack_status = "processed"
    refund.save(
        update_fields=[
            "status",
            "processed_at",
            "paystack_status",
            "paystack_refund_id",
            "paystack_refund_reference",
            "updated_at",
        ]
    )
    donation_event_record(
        donation=locked,
        type=E.REFUND_PROCESSED,
        source=source,
        data={
            "refund_id": str(refund.pk),
            "amount": refund.amount,
            "currency": refund.currency_id,
            "refund_reference": refund.paystack_refund_reference,
        },
    )
    locked.refunded_amount += refund.amount
    locked.refunded_gift_campaign += refund.gift_part
    completes = locked.refunded_amount >= locked.charged_amount
    fields = ["refunded_amount", "refunded_gift_campaign", "updated_at"]
    if completes:
        fields += status_change(
            locked,
            to=S.REFUNDED,
            type=E.REFUNDED,
            source=source,
            refunded_amount=locked.refunded_amount,
        )
    locked.save(update_fields=list(dict.fromkeys(fields)))
    aggregate_subtract(locked, gift=refund.gift_part, completes=completes)
    if completes and not counts_as_donor_elsewhere(locked):
        Campaign.objects.filter(pk=campaign.pk, donor_count__gt=0).update(
            donor_count=F("donor_count") - 1
        )
    campaign_cache_invalidate(campaign.pk)
    logger.info(
        "donation refund settled",
        extra={"refund_id": str(refund.pk), "donation_id": str(locked.pk), "completes": completes},
    )
    return Outcome.APPLIED


def donation_refund_settle(
    *, reference: str, paystack_refund_id: str, amount: Any, currency: str
) -> Outcome:
    """refund.processed for `reference` (kept for callers that have the parts)."""
    return donation_refund_apply_event(
        event_type="refund.processed",
        reference=reference,
        data={
            "status": "processed",
            "id": paystack_refund_id or None,
            "amount": amount,
            "currency": currency,
        },
    )
