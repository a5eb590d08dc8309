"""Every write to donations: initialize, settle, fail, abandon, reconcile, refund.

Settlement has ONE path, `donation_settle_charge`, whichever way Paystack's word
arrives (the charge.success webhook, the verify endpoint after its grace period, the
reconciler). It credits only what Paystack's verify call confirms: status success with
the amount and currency we asked to charge. Then, in one durable transaction:

    lock the donation row -> lock the campaign row -> ledger posting (its own locks:
    reference, accounts) -> donor aggregate row -> campaign donor_count

the donation becomes succeeded, the ledger posts `donation:<id>:succeeded` (which also
raises the campaign's raised_amount by the gift), the leaderboard aggregate and the
donor count change; after commit the cached campaign views are dropped and the receipt
and the organiser's notice are sent. A donation already succeeded or refunded is left
alone ("duplicate"); the row lock makes concurrent deliveries wait and then see it.

Paystack is always called outside any transaction of ours: no row lock is held over
the network, and on SQLite (`make run`) the sandbox serving the call can write.

Refunds: `donation_refund` (staff) reserves the campaign's share with a ledger hold,
writes the audit row, then asks Paystack; `refund.processed` settles it
(`donation_refund_settle`): hold released, `refund:<id>` posted, donation, aggregate
and donor count updated. See README.md for the rules.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.services import audit_log
from apps.campaigns.cache import campaign_cache_invalidate
from apps.campaigns.models import Campaign, CampaignStatus
from apps.campaigns.selectors import campaign_id_for_slug
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound, UpstreamError
from apps.currency.conversion import convert
from apps.currency.money import format_money
from apps.currency.selectors import currency_get
from apps.fees.calculation import quote_donation
from apps.ledger.selectors import campaign_balances
from apps.ledger.services import (
    InsufficientFunds,
    ledger_post_donation_succeeded,
    ledger_post_hold,
    ledger_post_refund,
    ledger_post_release,
)
from apps.payments.paystack import (
    PaystackError,
    PaystackNotFound,
    TransactionVerification,
    get_paystack_client,
)

from .models import (
    ANONYMOUS_NAME,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Donation,
    DonationRefund,
    DonationStatus,
    DonorAggregate,
    RefundStatus,
    donor_fallback_name,
)

logger = logging.getLogger(__name__)

S = DonationStatus
FX_RATE_PLACES = Decimal(10) ** -20
# Paystack statuses that mean "the customer may still be paying".
_IN_FLIGHT = frozenset({"ongoing", "pending", "processing", "queued"})
_REFERENCE_PREFIX = "don-"


class SettlementDeferred(Exception):
    """Paystack's verify does not (yet) confirm a charge.success; the event is retried."""


# --- small helpers ------------------------------------------------------------------------


def _invalid(field: str, message: str, code: str = "validation_error") -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code, fields={field: [message]})


def _new_reference() -> str:
    """Ours, unique, and within Paystack's alphabet (letters, digits, '-', '.', '=')."""
    return f"{_REFERENCE_PREFIX}{secrets.token_hex(12)}"


def _max_amount(currency: str) -> int:
    per_currency = getattr(settings, "DONATION_MAX_AMOUNTS", {}) or {}
    return int(per_currency.get(currency, getattr(settings, "DONATION_MAX_AMOUNT", 10**10)))


def _campaign_for_donation(value: Any) -> Campaign:
    """The campaign named by slug (current or former) or id; it must take donations."""
    text = str(value or "").strip()
    campaign = None
    if text:
        try:
            campaign_id = uuid.UUID(text)
        except ValueError:
            campaign_id = campaign_id_for_slug(text)
        if campaign_id is not None:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status in (
        CampaignStatus.DRAFT,
        CampaignStatus.PENDING_REVIEW,
        CampaignStatus.REJECTED,
    ):
        raise _invalid("campaign", "No such campaign.", code="campaign_not_found")
    if campaign.status != CampaignStatus.ACTIVE:
        raise _invalid(
            "campaign",
            f"This campaign is {campaign.status} and no longer takes donations.",
            code="campaign_not_accepting_donations",
        )
    return campaign


def _whole(field: str, value: Any, *, minimum: int, maximum: int, currency: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, "Must be a whole number of minor units.", code="invalid_amount")
    if value < minimum:
        raise _invalid(
            field,
            f"Must be at least {minimum} ({format_money(minimum, currency)}).",
            code="amount_too_small",
        )
    if value > maximum:
        raise _invalid(
            field,
            f"Must be at most {maximum} ({format_money(maximum, currency)}).",
            code="amount_too_large",
        )
    return value


def _callback_url(reference: str) -> str:
    template = getattr(settings, "DONATION_CALLBACK_URL", "") or (
        settings.FRONT_END_URL.rstrip("/") + "/donations/{reference}"
    )
    return template.replace("{reference}", reference)


def _flag_for_review(donation_id: Any, reason: str) -> None:
    """Credit nothing, tell staff: the donation is marked and an alert is logged."""
    now = timezone.now()
    with transaction.atomic():
        donation = Donation.objects.select_for_update(of=("self",)).get(pk=donation_id)
        reasons = [r for r in donation.review_reason.split("\n") if r]
        if reason not in reasons:
            reasons.append(reason)
        donation.needs_review = True
        donation.review_reason = "\n".join(reasons)[-4000:]
        donation.save(update_fields=["needs_review", "review_reason", "updated_at"])
    logger.error(
        "ALERT donation needs review: %s",
        reason,
        extra={
            "alert": True,
            "donation_id": str(donation_id),
            "donation_reference": donation.reference,
            "at": now.isoformat(),
        },
    )


# --- initialize ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Split:
    gift: int
    fee: int
    tip: int
    net: int
    rate: Decimal | None = None
    market_rate: Decimal | None = None
    rate_id: Any = None
    source: str = ""


def _campaign_split(
    *, gift: int, fee: int, tip: int, cover_fee: bool, currency: str, campaign_currency: str
) -> _Split:
    """The donation's split in the campaign's currency, at one adjusted rate."""
    if currency == campaign_currency:
        net = gift if cover_fee else gift - fee
        return _Split(gift=gift, fee=fee, tip=tip, net=net)
    for _attempt in range(3):
        at = timezone.now()
        conversions = [
            convert(value, currency, campaign_currency, at=at) for value in (gift, fee, tip)
        ]
        first = conversions[0]
        if all(c.rate == first.rate for c in conversions):
            break
        # a new rate landed between the calls: convert again, all at one rate
    else:
        raise Conflict(
            "Exchange rates are being updated just now; please try again.",
            code="exchange_rate_changing",
        )
    gift_c, fee_c, tip_c = (c.amount for c in conversions)
    net_c = gift_c if cover_fee else gift_c - fee_c
    return _Split(
        gift=gift_c,
        fee=fee_c,
        tip=tip_c,
        net=net_c,
        rate=first.rate.quantize(FX_RATE_PLACES, rounding=ROUND_HALF_UP),
        market_rate=first.market_rate.quantize(FX_RATE_PLACES, rounding=ROUND_HALF_UP),
        rate_id=first.rate_id,
        source=first.source,
    )


def donation_initialize(
    *,
    campaign: str,
    amount: int,
    currency: str,
    email: str,
    name: str = "",
    anonymous: bool = False,
    message: str = "",
    tip_amount: int = 0,
    cover_fee: bool = False,
    donor: Any = None,
) -> Donation:
    """Create a pending donation and start its Paystack checkout.

    The donation is committed first (so a Paystack answer or webhook always finds it),
    then Paystack is asked to charge `gift + tip (+ fee when covered)`. If Paystack fails
    the donation is marked failed and UpstreamError (502) is raised.
    """
    target = _campaign_for_donation(campaign)
    info = currency_get(currency)
    if not info.enabled:
        raise _invalid(
            "currency", f"{currency} is not accepted for donations.", "currency_disabled"
        )
    maximum = _max_amount(currency)
    amount = _whole(
        "amount", amount, minimum=info.minimum_donation, maximum=maximum, currency=currency
    )
    tip_amount = _whole("tip_amount", tip_amount, minimum=0, maximum=maximum, currency=currency)
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise _invalid("email", "Enter a valid email address.")
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise _invalid("name", f"At most {NAME_MAX_LENGTH} characters.")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise _invalid("message", f"At most {MESSAGE_MAX_LENGTH} characters.")
    if donor is not None and not getattr(donor, "is_authenticated", False):
        donor = None

    quote = quote_donation(
        gift=amount, tip=tip_amount, cover_fee=bool(cover_fee), currency=currency
    )
    if quote.net_to_campaign <= 0:
        raise _invalid(
            "amount", "Too small: the platform fee would take all of it.", "amount_too_small"
        )
    split = _campaign_split(
        gift=quote.gift,
        fee=quote.fee,
        tip=quote.tip,
        cover_fee=quote.cover_fee,
        currency=currency,
        campaign_currency=target.currency_id,
    )
    if split.gift <= 0 or split.net <= 0:
        raise _invalid(
            "amount", "Too small once converted to the campaign's currency.", "amount_too_small"
        )

    with transaction.atomic(durable=True):
        donation = Donation.objects.create(
            reference=_new_reference(),
            campaign=target,
            donor=donor,
            email=email,
            name=name,
            anonymous=bool(anonymous),
            message=message,
            currency_id=currency,
            amount=quote.gift,
            fee_amount=quote.fee,
            tip_amount=quote.tip,
            cover_fee=quote.cover_fee,
            charged_amount=quote.charged,
            campaign_currency_id=target.currency_id,
            gift_campaign=split.gift,
            fee_campaign=split.fee,
            tip_campaign=split.tip,
            net_campaign=split.net,
            fx_rate=split.rate,
            fx_market_rate=split.market_rate,
            fx_rate_ref_id=split.rate_id,
            fx_source=split.source,
        )

    try:
        started = get_paystack_client().initialize_transaction(
            email=email,
            amount=donation.charged_amount,
            currency=currency,
            reference=donation.reference,
            callback_url=_callback_url(donation.reference),
            metadata={
                "donation_id": str(donation.pk),
                "campaign_id": str(target.pk),
                "campaign": target.slug,
                "gift": donation.amount,
                "tip": donation.tip_amount,
                "fee": donation.fee_amount,
                "cover_fee": donation.cover_fee,
            },
            channels=list(getattr(settings, "PAYSTACK_CHANNELS", []) or []) or None,
        )
    except PaystackError as exc:
        _initialize_failed(donation, str(exc))
        raise UpstreamError(
            "The payment provider could not start this payment, so nothing was charged. "
            "Please try again shortly.",
            code="paystack_unavailable",
            extra={"reference": donation.reference},
        ) from exc

    now = timezone.now()
    Donation.objects.filter(pk=donation.pk).update(
        paystack_access_code=started.access_code[:100],
        authorization_url=started.authorization_url[:500],
        updated_at=now,
    )
    donation.paystack_access_code = started.access_code[:100]
    donation.authorization_url = started.authorization_url[:500]
    logger.info(
        "donation initialized",
        extra={
            "donation_id": str(donation.pk),
            "donation_reference": donation.reference,
            "campaign_id": str(target.pk),
            "amount": donation.charged_amount,
            "currency": currency,
        },
    )
    return donation


def _initialize_failed(donation: Donation, error: str) -> None:
    now = timezone.now()
    Donation.objects.filter(pk=donation.pk, status=S.PENDING).update(
        status=S.FAILED,
        failure_reason=f"Paystack initialize failed: {error}"[:500],
        status_changed_at=now,
        updated_at=now,
    )
    donation.refresh_from_db()
    logger.warning(
        "donation initialize failed: %s",
        error,
        extra={"donation_id": str(donation.pk), "donation_reference": donation.reference},
    )


# --- settlement ---------------------------------------------------------------------------


def _donor_key(donation: Donation) -> str:
    if donation.anonymous:
        return f"anonymous:{donation.pk}"
    return f"email:{donation.email.lower()}"


def _aggregate_add(donation: Donation, at: datetime) -> None:
    """Add a settled donation to its donor's leaderboard row (campaign row already locked)."""
    key = _donor_key(donation)
    name = ANONYMOUS_NAME if donation.anonymous else donation.public_name
    row = (
        DonorAggregate.objects.select_for_update(of=("self",))
        .filter(campaign_id=donation.campaign_id, donor_key=key)
        .first()
    )
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
    if donation.name and not donation.anonymous:
        changes["display_name"] = donation.name[:NAME_MAX_LENGTH]
    DonorAggregate.objects.filter(pk=row.pk).update(**changes)


def _aggregate_subtract(donation: Donation, *, gift: int, completes: bool) -> None:
    DonorAggregate.objects.filter(
        campaign_id=donation.campaign_id, donor_key=_donor_key(donation)
    ).update(
        total=F("total") - gift,
        donation_count=F("donation_count") - (1 if completes else 0),
        updated_at=timezone.now(),
    )


def _counts_as_donor_elsewhere(donation: Donation) -> bool:
    """Another donation of this email to this campaign still counts (succeeded)."""
    return (
        Donation.objects.filter(
            campaign_id=donation.campaign_id, email=donation.email, status=S.SUCCEEDED
        )
        .exclude(pk=donation.pk)
        .exists()
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
) -> str:
    """Credit a donation that Paystack's verify call confirms; the event outcome.

    "applied": credited now. "duplicate": already succeeded or refunded. "ignored": the
    verify answer disagrees (amount, currency, status): nothing is credited, the donation
    is marked for review and an alert logged.
    """
    problem = _verification_problem(donation, verification)
    if problem:
        _flag_for_review(donation.pk, problem)
        return "ignored"

    with transaction.atomic(durable=True):
        locked = Donation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
        if locked.status in (S.SUCCEEDED, S.REFUNDED):
            return "duplicate"
        campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=locked.campaign_id)
        cross = locked.currency_id != locked.campaign_currency_id
        ledger_post_donation_succeeded(
            reference=f"donation:{locked.pk}:succeeded",
            campaign=campaign,
            charged_amount=locked.charged_amount,
            charged_currency=locked.currency_id,
            gift=locked.gift_campaign,
            fee=locked.fee_campaign,
            tip=locked.tip_campaign,
            net_to_campaign=locked.net_campaign,
            fx_rate=locked.fx_rate if cross else None,
            memo={"donation_id": str(locked.pk), "donation_reference": locked.reference},
        )
        new_donor = not _counts_as_donor_elsewhere(locked)
        now = timezone.now()
        previous = locked.status
        locked.status = S.SUCCEEDED
        locked.paid_at = verification.paid_at or now
        locked.channel = (verification.channel or "")[:30]
        locked.paystack_transaction_id = verification.id
        locked.settled_via = source[:20]
        locked.status_changed_at = now
        if previous != S.PENDING:
            logger.warning(
                "a %s donation was paid after all: settling it",
                previous,
                extra={"donation_id": str(locked.pk), "donation_reference": locked.reference},
            )
        locked.save(
            update_fields=[
                "status",
                "paid_at",
                "channel",
                "paystack_transaction_id",
                "settled_via",
                "status_changed_at",
                "updated_at",
            ]
        )
        _aggregate_add(locked, locked.paid_at)
        if new_donor:
            Campaign.objects.filter(pk=campaign.pk).update(donor_count=F("donor_count") + 1)
        campaign_cache_invalidate(campaign.pk)
        transaction.on_commit(partial(_notify_succeeded, str(locked.pk)))
    logger.info(
        "donation succeeded",
        extra={
            "donation_id": str(locked.pk),
            "donation_reference": locked.reference,
            "campaign_id": str(campaign.pk),
            "gift": locked.gift_campaign,
            "currency": locked.campaign_currency_id,
            "via": source,
        },
    )
    return "applied"


def _campaign_url(campaign: Campaign) -> str:
    return f"{settings.FRONT_END_URL.rstrip('/')}/campaigns/{campaign.slug}"


def _notify_succeeded(donation_id: str) -> None:
    """After commit: the donor's receipt and the organiser's notice. Never raises: the
    money is settled whatever happens to an email."""
    from apps.notifications.services import notification_send

    try:
        donation = Donation.objects.select_related("campaign__organizer").get(pk=donation_id)
        campaign = donation.campaign
        organizer = campaign.organizer
        common = {
            "campaign_title": campaign.title,
            "campaign_url": _campaign_url(campaign),
            "reference": donation.reference,
        }
        notification_send(
            channel="email",
            template="donation_receipt",
            recipient=donation.email,
            user=donation.donor,
            context={
                **common,
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
        notification_send(
            channel="email",
            template="donation_received",
            recipient=organizer.email,
            user=organizer,
            context={
                **common,
                "first_name": organizer.first_name,
                "donor_name": donation.public_name,
                "gift_display": format_money(donation.gift_campaign, donation.campaign_currency_id),
                "message": donation.message,
                "raised_display": format_money(campaign.raised_amount, campaign.currency_id),
            },
        )
    except Exception:
        logger.exception("donation notifications not sent", extra={"donation_id": donation_id})


def donation_apply_charge_success(*, reference: str, data: dict, source: str = "webhook") -> str:
    """A charge.success event: the event must match what we asked to charge and Paystack's
    verify must agree; then the one settlement path. Unknown references are ignored."""
    donation = Donation.objects.filter(reference=reference).first()
    if donation is None:
        logger.info("charge.success for an unknown reference", extra={"reference": reference})
        return "ignored"
    if donation.status in (S.SUCCEEDED, S.REFUNDED):
        return "duplicate"
    amount, currency = data.get("amount"), str(data.get("currency") or "").upper()
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or (amount != donation.charged_amount or currency != donation.currency_id)
    ):
        _flag_for_review(
            donation.pk,
            f"charge.success reports {amount!r} {currency or '?'}; we asked to charge "
            f"{donation.charged_amount} {donation.currency_id}.",
        )
        return "ignored"
    verification = get_paystack_client().verify_transaction(donation.reference)
    if verification.status in _IN_FLIGHT and verification.amount == donation.charged_amount:
        raise SettlementDeferred(
            f"charge.success received but Paystack verify still says {verification.status!r}"
        )
    return donation_settle_charge(donation=donation, verification=verification, source=source)


def _set_final_status(
    *, donation_id: Any, status: str, reason: str, only_from: tuple[str, ...] = (S.PENDING,)
) -> bool:
    with transaction.atomic(durable=True):
        locked = Donation.objects.select_for_update(of=("self",)).get(pk=donation_id)
        if locked.status not in only_from:
            return False
        now = timezone.now()
        locked.status = status
        locked.failure_reason = reason[:500]
        locked.status_changed_at = now
        locked.save(update_fields=["status", "failure_reason", "status_changed_at", "updated_at"])
    logger.info(
        "donation %s", status, extra={"donation_id": str(donation_id), "reason": reason[:200]}
    )
    return True


def donation_mark_failed(*, donation: Donation, reason: str) -> bool:
    """Paystack says the charge failed. Only a pending donation changes; True if it did."""
    return _set_final_status(donation_id=donation.pk, status=S.FAILED, reason=reason)


def donation_abandon(*, donation: Donation, reason: str) -> bool:
    """Never paid: only a pending donation changes; True if it did."""
    return _set_final_status(donation_id=donation.pk, status=S.ABANDONED, reason=reason)


def donation_apply_charge_failed(*, reference: str, data: dict) -> str:
    donation = Donation.objects.filter(reference=reference).first()
    if donation is None:
        return "ignored"
    reason = str(data.get("gateway_response") or data.get("message") or "The charge failed.")
    changed = donation_mark_failed(donation=donation, reason=f"Paystack: {reason}")
    return "applied" if changed else "ignored"


def donation_check_with_paystack(*, donation: Donation, source: str, abandon: bool) -> str:
    """Ask Paystack about a pending donation and act on the answer (the verify endpoint
    and the reconciler). What happened: applied | duplicate | ignored | failed |
    abandoned | pending | unreachable."""
    try:
        verification = get_paystack_client().verify_transaction(donation.reference)
    except PaystackNotFound:
        if abandon and donation_abandon(
            donation=donation, reason="Paystack has no transaction with this reference."
        ):
            return "abandoned"
        return "pending"
    except PaystackError as exc:
        logger.warning(
            "paystack verify failed for a pending donation: %s",
            exc,
            extra={"donation_reference": donation.reference},
        )
        return "unreachable"
    if verification.succeeded:
        return donation_settle_charge(donation=donation, verification=verification, source=source)
    if verification.status == "failed":
        reason = f"Paystack: {verification.gateway_response or 'the charge failed'}"
        return "failed" if donation_mark_failed(donation=donation, reason=reason) else "pending"
    if abandon and donation_abandon(
        donation=donation,
        reason=f"Not paid within the time allowed (Paystack status {verification.status!r}).",
    ):
        return "abandoned"
    return "pending"


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
    grace = int(getattr(settings, "DONATION_VERIFY_GRACE_SECONDS", 15))
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


def donations_reconcile(*, older_than_minutes: int | None = None, limit: int = 200) -> Counter:
    """Pending donations older than DONATION_ABANDON_AFTER_MINUTES: settled if Paystack
    says success, failed if it says failed, abandoned otherwise. Donations marked for
    review are left to staff. Counts by outcome."""
    if older_than_minutes is None:
        older_than_minutes = int(getattr(settings, "DONATION_ABANDON_AFTER_MINUTES", 60))
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stale = list(
        Donation.objects.filter(
            status=S.PENDING, needs_review=False, created_at__lt=cutoff
        ).order_by("created_at")[:limit]
    )
    counts: Counter = Counter()
    for donation in stale:
        try:
            counts[
                donation_check_with_paystack(donation=donation, source="reconciler", abandon=True)
            ] += 1
        except Exception:
            logger.exception(
                "donation reconcile failed", extra={"donation_reference": donation.reference}
            )
            counts["error"] += 1
    return counts


# --- refunds ------------------------------------------------------------------------------


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
        raise _invalid("amount", "Must be a whole number of minor units above zero.")
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
    actor: Any,
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
        raise _invalid("reason", "Say why the donation is refunded.")
    if len(reason) > REASON_MAX_LENGTH:
        raise _invalid("reason", f"At most {REASON_MAX_LENGTH} characters.")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0
    ):
        raise _invalid("amount", "Must be a whole number of minor units above zero.")

    with transaction.atomic(durable=True):
        locked = Donation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
        campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=locked.campaign_id)
        if locked.status != S.SUCCEEDED:
            raise Conflict(
                f"Only a succeeded donation can be refunded; this one is {locked.status}.",
                code="donation_not_refundable",
                extra={"status": locked.status},
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
        _refund_failed(refund_id=refund.pk, error=str(exc))
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
        # refund.processed may have come first and recorded the id already
        DonationRefund.objects.filter(pk=refund.pk, paystack_refund_id="").update(
            paystack_refund_id=paystack_id
        )
    refund.refresh_from_db()
    logger.info(
        "donation refund requested",
        extra={"refund_id": str(refund.pk), "donation_id": str(locked.pk), "amount": plan.amount},
    )
    return refund


def _refund_failed(*, refund_id: Any, error: str) -> None:
    """Paystack refused or could not be reached: release the hold (unless it settled)."""
    with transaction.atomic(durable=True):
        refund = DonationRefund.objects.select_related("donation").get(pk=refund_id)
        Donation.objects.select_for_update(of=("self",)).get(pk=refund.donation_id)
        campaign = Campaign.objects.select_for_update(of=("self",)).get(
            pk=refund.donation.campaign_id
        )
        refund = DonationRefund.objects.select_for_update(of=("self",)).get(pk=refund_id)
        if refund.status != RefundStatus.PENDING:
            return
        ledger_post_release(
            reference=f"refund:{refund.pk}:release",
            campaign=campaign,
            amount=refund.net_part,
            memo={"refund_id": str(refund.pk), "why": "paystack refused"},
        )
        refund.status = RefundStatus.FAILED
        refund.error = error[:2000]
        refund.save(update_fields=["status", "error", "updated_at"])
    logger.warning(
        "donation refund failed at Paystack: %s", error, extra={"refund_id": str(refund_id)}
    )


def donation_refund_settle(
    *, reference: str, paystack_refund_id: str, amount: Any, currency: str
) -> str:
    """refund.processed: the money went back to the donor; settle it once."""
    donation = Donation.objects.filter(reference=reference).first()
    if donation is None:
        logger.info("refund.processed for an unknown reference", extra={"reference": reference})
        return "ignored"
    with transaction.atomic(durable=True):
        locked = Donation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
        campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=locked.campaign_id)
        refunds = DonationRefund.objects.select_for_update(of=("self",)).filter(donation=locked)
        refund = None
        if paystack_refund_id:
            refund = refunds.filter(paystack_refund_id=paystack_refund_id).first()
        if refund is None and not isinstance(amount, bool) and isinstance(amount, int):
            refund = (
                refunds.filter(
                    paystack_refund_id="",
                    amount=amount,
                    status__in=[RefundStatus.PENDING, RefundStatus.FAILED],
                )
                .order_by("status", "created_at")  # pending before failed, oldest first
                .first()
            )
        if refund is None:
            problem = (
                f"refund.processed for {amount!r} {currency} (Paystack refund "
                f"{paystack_refund_id or '?'}) matches no refund we asked for."
            )
            return _refund_review(locked, problem)
        if refund.status == RefundStatus.PROCESSED:
            return "duplicate"
        if amount != refund.amount or (currency or "").upper() != refund.currency_id:
            return _refund_review(
                locked,
                f"refund.processed reports {amount!r} {currency}; refund {refund.pk} is for "
                f"{refund.amount} {refund.currency_id}.",
            )
        if refund.status == RefundStatus.PENDING:
            ledger_post_release(
                reference=f"refund:{refund.pk}:release",
                campaign=campaign,
                amount=refund.net_part,
                memo={"refund_id": str(refund.pk), "why": "refund processed"},
            )
        elif locked.refunded_amount + refund.amount > locked.charged_amount:
            return _refund_review(locked, f"refund {refund.pk} would refund more than was charged.")
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
            return _refund_review(locked, f"refund {refund.pk} could not be posted: {exc.message}")
        now = timezone.now()
        refund.status = RefundStatus.PROCESSED
        refund.processed_at = now
        refund.paystack_status = "processed"
        if paystack_refund_id and not refund.paystack_refund_id:
            refund.paystack_refund_id = paystack_refund_id[:64]
        refund.save(
            update_fields=[
                "status",
                "processed_at",
                "paystack_status",
                "paystack_refund_id",
                "updated_at",
            ]
        )
        locked.refunded_amount += refund.amount
        locked.refunded_gift_campaign += refund.gift_part
        completes = locked.refunded_amount >= locked.charged_amount
        fields = ["refunded_amount", "refunded_gift_campaign", "updated_at"]
        if completes:
            locked.status = S.REFUNDED
            locked.status_changed_at = now
            fields += ["status", "status_changed_at"]
        locked.save(update_fields=fields)
        _aggregate_subtract(locked, gift=refund.gift_part, completes=completes)
        if completes and not _counts_as_donor_elsewhere(locked):
            Campaign.objects.filter(pk=campaign.pk, donor_count__gt=0).update(
                donor_count=F("donor_count") - 1
            )
        campaign_cache_invalidate(campaign.pk)
    logger.info(
        "donation refund settled",
        extra={"refund_id": str(refund.pk), "donation_id": str(locked.pk), "completes": completes},
    )
    return "applied"


def _refund_review(donation: Donation, problem: str) -> str:
    """Inside the settlement transaction: mark the donation for staff and alert."""
    reasons = [r for r in donation.review_reason.split("\n") if r]
    if problem not in reasons:
        reasons.append(problem)
    Donation.objects.filter(pk=donation.pk).update(
        needs_review=True, review_reason="\n".join(reasons)[-4000:], updated_at=timezone.now()
    )
    logger.error(
        "ALERT donation needs review: %s",
        problem,
        extra={
            "alert": True,
            "donation_id": str(donation.pk),
            "donation_reference": donation.reference,
        },
    )
    return "ignored"
