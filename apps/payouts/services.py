"""Payouts: staff approve with a fresh authenticator code, Paystack moves the money, the
ledger follows every step.

    requested --approve (TOTP, not your own)--> approved --transfer sent--> processing
    processing --transfer.success--> completed (held -> paid out through Paystack)
    approved|processing --transfer.failed|reversed--> failed (hold released)
    completed --transfer.reversed--> failed (the money comes back to available)
    requested --reject--> rejected (hold released)

The transfer is sent after the approval commits, by a task (`payout_send_transfer`),
with the withdrawal's own reference: Paystack refuses a second transfer with a reference
it has seen, and the client then reads the first one back, so a retry, a replayed task or
the reconciler can never pay twice. Paystack is called outside any transaction; each
answer or event is applied in a durable transaction that locks withdrawal -> campaign
(-> ledger -> audit head, in `apps.core.locks` order). Every change writes the
withdrawal's timeline in the same transaction; staff actions write the audit log too.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.services import audit_log
from apps.campaigns.models import Campaign, CampaignStatus
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited, UpstreamError
from apps.core.locks import lock_campaign, lock_totp_devices, lock_withdrawal
from apps.currency.money import format_money
from apps.ledger.services import ledger_post_transfer_reversed, ledger_post_transfer_succeeded
from apps.payments.paystack import (
    PaystackError,
    PaystackNotFound,
    PaystackRejected,
    Transfer,
    get_paystack_client,
    paystack_amount,
)
from apps.withdrawals.models import Withdrawal, WithdrawalEventType, WithdrawalStatus
from apps.withdrawals.services import (
    withdrawal_event_record,
    withdrawal_release_hold,
    withdrawal_status_change,
)

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger(__name__)

W = WithdrawalStatus
E = WithdrawalEventType
APPROVE_PERMISSION = "withdrawals.approve_withdrawal"
MAX_BATCH = 50
REASON_MAX_LENGTH = 500
# Paystack transfer statuses.
SUCCEEDED = frozenset({"success"})
FAILED = frozenset({"failed", "reversed", "abandoned", "blocked", "rejected"})
WAITING = frozenset({"pending", "otp", "received", "queued", "processing"})


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


class TransferSend(StrEnum):
    SENT = "sent"  # Paystack has it (or already had it under our reference)
    SKIPPED = "skipped"  # not approved any more: nothing to send
    REFUSED = "refused"  # Paystack said no (e.g. balance too low); retried later
    UNREACHABLE = "unreachable"  # Paystack could not be asked; retried


# --- who may act ------------------------------------------------------------------------


def _require_approver(actor: User | None) -> User:
    if actor is None or not actor.is_authenticated or not actor.is_staff:
        raise Forbidden("Only staff can act on payouts.")
    if not actor.has_perm(APPROVE_PERMISSION):
        raise Forbidden(f"This needs the {APPROVE_PERMISSION} permission.")
    return actor


def _devices(actor: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=actor, confirmed=True).order_by("pk"))


def _no_device() -> Forbidden:
    return Forbidden(
        "Approving payouts needs an authenticator app, and this staff account has none. "
        "Ask an administrator to enrol one (manage.py totp_enroll <email>).",
        code="otp_device_missing",
    )


def payout_two_factor_initialize(*, actor: User | None) -> dict[str, Any]:
    """Which second factor the approval takes: the staff member's authenticator code."""
    staff = _require_approver(actor)
    devices = _devices(staff)
    if not devices:
        raise _no_device()
    return {
        "factor": "totp",
        "devices": [device.name for device in devices],
        "message": "Enter the current 6-digit code from your authenticator app as `otp` "
        "in POST /v1/admin/payouts/approve.",
    }


def payout_verify_otp(*, actor: User, otp: Any) -> None:
    """The authenticator code, checked now; a code works once (django-otp refuses a code
    at or before the last one accepted), and repeated wrong codes are throttled."""
    token = str(otp or "").strip()
    if not token.isdigit() or not 6 <= len(token) <= 8:
        raise InvalidInput(
            "otp: Give the 6-digit code from your authenticator app.",
            code="invalid_otp",
            fields={"otp": ["Give the 6-digit code from your authenticator app."]},
        )
    with transaction.atomic():
        devices = lock_totp_devices(user_id=actor.pk)
        if not devices:
            raise _no_device()
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        if not allowed:
            until = devices[0].verify_is_allowed()[1].get("locked_until") or timezone.now()
            wait = max(1, int((until - timezone.now()).total_seconds()) + 1)
            raise RateLimited(
                "Too many wrong codes: wait a little before trying again.",
                retry_after=min(wait, 3600),
                code="otp_throttled",
            )
        if any(device.verify_token(token) for device in allowed):
            return
    raise InvalidInput(
        "otp: The code is wrong, expired or already used.",
        code="invalid_otp",
        fields={"otp": ["The code is wrong, expired or already used."]},
    )


# --- approve and reject ---------------------------------------------------------------------


def _ids(values: Any) -> list[uuid.UUID]:
    message = f"Give a list of 1 to {MAX_BATCH} withdrawal ids."
    if not isinstance(values, list) or not 1 <= len(values) <= MAX_BATCH:
        raise InvalidInput(f"withdrawal_ids: {message}", fields={"withdrawal_ids": [message]})
    ids: list[uuid.UUID] = []
    for value in values:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            raise InvalidInput(
                f"withdrawal_ids: {value!r} is not a withdrawal id.",
                fields={"withdrawal_ids": [f"{value!r} is not a withdrawal id."]},
            ) from None
    return list(dict.fromkeys(ids))


def _refusal(pk: Any, status: str, code: str, message: str) -> dict[str, Any]:
    return {"id": str(pk), "status": status, "code": code, "error": message}


def payouts_approve(
    *,
    actor: User | None,
    withdrawal_ids: Any,
    otp: Any,
    request: HttpRequest | None = None,
) -> list[dict[str, Any]]:
    """Approve requested withdrawals with one fresh authenticator code; a result per id.

    The code is checked first (a wrong one approves nothing). Each withdrawal is then
    approved in its own transaction, with its audit row; one that cannot be approved
    (not found, not requested, your own, campaign suspended) is reported, not raised.
    After each commit the transfer is sent by a task and the organiser is told.
    """
    staff = _require_approver(actor)
    ids = _ids(withdrawal_ids)
    if not _devices(staff):
        raise _no_device()
    payout_verify_otp(actor=staff, otp=otp)
    return [_approve_one(staff, pk, request) for pk in ids]


def _approve_one(staff: User, pk: uuid.UUID, request: HttpRequest | None) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        try:
            locked: Withdrawal = lock_withdrawal(pk)
        except Withdrawal.DoesNotExist:
            return _refusal(pk, "not_found", "withdrawal_not_found", "No such withdrawal.")
        if locked.requested_by_id == staff.pk:
            return _refusal(
                pk,
                locked.status,
                "own_withdrawal",
                "You requested this withdrawal; another staff member must approve it.",
            )
        if locked.status != W.REQUESTED:
            return _refusal(
                pk,
                locked.status,
                "withdrawal_not_requested",
                f"Only a requested withdrawal can be approved; this one is {locked.status}.",
            )
        campaign = lock_campaign(locked.campaign_id)
        if campaign.status == CampaignStatus.SUSPENDED:
            return _refusal(
                pk,
                locked.status,
                "campaign_suspended",
                "The campaign is suspended: payouts wait until it is reinstated.",
            )
        locked.reviewed_by = staff
        locked.reviewed_at = timezone.now()
        fields = withdrawal_status_change(
            locked, to=W.APPROVED, type=E.APPROVED, source="staff", actor=staff
        )
        locked.save(update_fields=[*fields, "reviewed_by", "reviewed_at"])
        audit_log(
            actor=staff,
            action="withdrawal.approve",
            target_type="withdrawal",
            target_id=str(locked.pk),
            before={"status": W.REQUESTED},
            after={
                "status": W.APPROVED,
                "amount": locked.amount,
                "currency": locked.currency_id,
                "reference": locked.reference,
            },
            request=request,
        )
        transaction.on_commit(partial(_enqueue_transfer, str(locked.pk)))
        transaction.on_commit(partial(payout_notify, str(locked.pk), "payout_approved"))
    return {"id": str(pk), "status": W.APPROVED}


def withdrawal_reject(
    *,
    actor: User | None,
    withdrawal_id: Any,
    reason: Any,
    request: HttpRequest | None = None,
) -> Withdrawal:
    """Staff say no to a requested withdrawal, with a reason; the hold is released."""
    staff = _require_approver(actor)
    text = str(reason or "").strip()
    if not text:
        raise InvalidInput("reason: Say why.", fields={"reason": ["Say why."]})
    if len(text) > REASON_MAX_LENGTH:
        raise InvalidInput(
            f"reason: At most {REASON_MAX_LENGTH} characters.",
            fields={"reason": [f"At most {REASON_MAX_LENGTH} characters."]},
        )
    pk = _one_id(withdrawal_id)
    with transaction.atomic(durable=True):
        try:
            locked: Withdrawal = lock_withdrawal(pk)
        except Withdrawal.DoesNotExist:
            raise NotFound("No such withdrawal.") from None
        if locked.requested_by_id == staff.pk:
            raise Forbidden(
                "You requested this withdrawal; another staff member must review it.",
                code="own_withdrawal",
            )
        if locked.status != W.REQUESTED:
            raise Conflict(
                f"Only a requested withdrawal can be rejected; this one is {locked.status}.",
                code="withdrawal_not_requested",
                extra={"status": locked.status},
            )
        campaign = lock_campaign(locked.campaign_id)
        locked.reviewed_by = staff
        locked.reviewed_at = timezone.now()
        locked.rejection_reason = text
        fields = withdrawal_status_change(
            locked, to=W.REJECTED, type=E.REJECTED, source="staff", actor=staff, reason=text
        )
        locked.save(update_fields=[*fields, "reviewed_by", "reviewed_at", "rejection_reason"])
        withdrawal_release_hold(locked, campaign, why="rejected")
        audit_log(
            actor=staff,
            action="withdrawal.reject",
            target_type="withdrawal",
            target_id=str(locked.pk),
            before={"status": W.REQUESTED},
            after={"status": W.REJECTED, "reason": text, "amount": locked.amount},
            request=request,
        )
        transaction.on_commit(partial(payout_notify, str(locked.pk), "payout_rejected"))
    return locked


def _one_id(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("No such withdrawal.") from None


# --- the transfer -------------------------------------------------------------------------


def _enqueue_transfer(withdrawal_id: str) -> None:
    from .tasks import send_payout_transfer

    try:
        send_payout_transfer.delay(withdrawal_id)
    except Exception:  # the broker is down: the reconciler sends it later
        logger.exception("payout transfer not enqueued", extra={"withdrawal_id": withdrawal_id})


def payout_send_transfer(*, withdrawal_id: Any) -> TransferSend:
    """Send an approved withdrawal's transfer to Paystack (the task, and the reconciler
    for one whose task was lost). Safe to run any number of times."""
    withdrawal = (
        Withdrawal.objects.select_related("bank_account", "campaign")
        .filter(pk=withdrawal_id)
        .first()
    )
    if withdrawal is None or withdrawal.status != W.APPROVED:
        return TransferSend.SKIPPED
    try:
        transfer = get_paystack_client().initiate_transfer(
            amount=withdrawal.amount,
            recipient_code=withdrawal.bank_account.recipient_code,
            reference=withdrawal.reference,
            reason=f"KROGiving payout: {withdrawal.campaign.title}"[:100],
            currency=withdrawal.currency_id,
        )
    except PaystackRejected as exc:
        _transfer_attempt_failed(withdrawal, exc, refused=True)
        return TransferSend.REFUSED
    except PaystackError as exc:
        _transfer_attempt_failed(withdrawal, exc, refused=False)
        return TransferSend.UNREACHABLE
    payout_apply_transfer(withdrawal_id=withdrawal.pk, transfer=transfer, source="api", sent=True)
    return TransferSend.SENT


def _transfer_attempt_failed(withdrawal: Withdrawal, exc: PaystackError, *, refused: bool) -> None:
    """On the timeline, for staff: Paystack refused (the platform balance too low, say) or
    could not be reached. The withdrawal stays approved and is tried again."""
    with transaction.atomic(durable=True):
        locked: Withdrawal = lock_withdrawal(withdrawal.pk)
        if locked.status != W.APPROVED:
            return
        withdrawal_event_record(
            withdrawal=locked,
            type=E.TRANSFER_ATTEMPT,
            source="paystack",
            data={
                "outcome": "refused" if refused else "unreachable",
                "error": str(exc)[:500],
                "paystack_code": getattr(exc, "code", "") or "",
            },
        )
        if refused and not locked.needs_review:
            locked.needs_review = True
            locked.save(update_fields=["needs_review", "updated_at"])
    log = logger.error if refused else logger.warning
    log(
        "payout transfer not sent: %s",
        exc,
        extra={"alert": refused, "withdrawal_id": str(withdrawal.pk)},
    )


def payout_apply_transfer(
    *, withdrawal_id: Any, transfer: Transfer, source: str, sent: bool = False
) -> Outcome:
    """What Paystack says of a transfer (its answer to send, finalize or verify), applied."""
    with transaction.atomic(durable=True):
        locked: Withdrawal = lock_withdrawal(withdrawal_id)
        campaign = lock_campaign(locked.campaign_id)
        if transfer.transfer_code and not locked.transfer_code:
            locked.transfer_code = transfer.transfer_code[:64]
        if transfer.id and not locked.paystack_transfer_id:
            locked.paystack_transfer_id = transfer.id
        locked.save(update_fields=["transfer_code", "paystack_transfer_id", "updated_at"])
        if sent and locked.status == W.APPROVED:
            withdrawal_event_record(
                withdrawal=locked,
                type=E.TRANSFER_SENT,
                source=source,
                data={
                    "transfer_code": transfer.transfer_code,
                    "paystack_status": transfer.status,
                    "recovered": transfer.recovered,
                },
            )
        return _apply_status(locked, campaign, transfer.status, source=source)


def _apply_status(
    locked: Withdrawal, campaign: Campaign, status: str, *, source: str, **data: Any
) -> Outcome:
    """Inside a transaction holding withdrawal -> campaign: move the withdrawal as
    Paystack's `status` says, once; repeated, late and out-of-order words change nothing
    they should not (a contradiction is flagged for staff)."""
    status = (status or "").lower()
    current = locked.status
    if status in SUCCEEDED:
        if current in (W.APPROVED, W.PROCESSING):
            ledger_post_transfer_succeeded(
                reference=f"withdrawal:{locked.pk}:paid",
                campaign=campaign,
                amount=locked.amount,
                memo={"withdrawal_id": str(locked.pk), "reference": locked.reference},
            )
            locked.transfer_status = status
            locked.completed_at = timezone.now()
            fields = withdrawal_status_change(
                locked, to=W.COMPLETED, type=E.COMPLETED, source=source, **data
            )
            locked.save(update_fields=[*fields, "transfer_status", "completed_at"])
            transaction.on_commit(partial(payout_notify, str(locked.pk), "payout_completed"))
            return Outcome.APPLIED
        if current == W.COMPLETED:
            return Outcome.DUPLICATE
        return _flag(
            locked, f"Paystack reports the transfer succeeded; it is {current} here.", source
        )
    if status in FAILED:
        if current in (W.APPROVED, W.PROCESSING):
            withdrawal_release_hold(locked, campaign, why=f"transfer {status}")
            return _fail(locked, status, source, **data)
        if current == W.COMPLETED and status == "reversed":
            ledger_post_transfer_reversed(
                reference=f"withdrawal:{locked.pk}:reversed",
                campaign=campaign,
                amount=locked.amount,
                memo={"withdrawal_id": str(locked.pk), "reference": locked.reference},
            )
            return _fail(locked, status, source, after_completion=True, **data)
        if current == W.FAILED:
            return Outcome.DUPLICATE
        return _flag(
            locked, f"Paystack reports the transfer {status}; it is {current} here.", source
        )
    if status in WAITING:
        if current == W.APPROVED:
            locked.transfer_status = status
            kind = E.OTP_REQUIRED if status == "otp" else E.TRANSFER_UPDATED
            fields = withdrawal_status_change(
                locked, to=W.PROCESSING, type=kind, source=source, paystack_status=status, **data
            )
            locked.save(update_fields=[*fields, "transfer_status"])
            return Outcome.APPLIED
        if current == W.PROCESSING and locked.transfer_status != status:
            locked.transfer_status = status
            locked.save(update_fields=["transfer_status", "updated_at"])
            withdrawal_event_record(
                withdrawal=locked,
                type=E.OTP_REQUIRED if status == "otp" else E.TRANSFER_UPDATED,
                source=source,
                data={"paystack_status": status, **data},
            )
            return Outcome.APPLIED
        return Outcome.DUPLICATE
    return _flag(locked, f"Paystack reports a transfer status we do not know: {status!r}.", source)


def _fail(locked: Withdrawal, status: str, source: str, **data: Any) -> Outcome:
    locked.transfer_status = status
    locked.failure_reason = f"Paystack reported the transfer {status}."[:500]
    fields = withdrawal_status_change(
        locked, to=W.FAILED, type=E.FAILED, source=source, paystack_status=status, **data
    )
    locked.save(update_fields=[*fields, "transfer_status", "failure_reason"])
    transaction.on_commit(partial(payout_notify, str(locked.pk), "payout_failed"))
    return Outcome.APPLIED


def _flag(locked: Withdrawal, problem: str, source: str) -> Outcome:
    locked.needs_review = True
    locked.save(update_fields=["needs_review", "updated_at"])
    withdrawal_event_record(
        withdrawal=locked, type=E.FLAGGED_FOR_REVIEW, source=source, data={"problem": problem}
    )
    logger.error(
        "ALERT withdrawal needs review: %s",
        problem,
        extra={"alert": True, "withdrawal_id": str(locked.pk), "reference": locked.reference},
    )
    return Outcome.IGNORED


def payout_apply_transfer_event(
    *, event_type: str, reference: str, data: dict[str, Any]
) -> Outcome:
    """A `transfer.success`, `transfer.failed` or `transfer.reversed` webhook."""
    withdrawal = Withdrawal.objects.filter(reference=reference).first() if reference else None
    if withdrawal is None:
        logger.info("%s for an unknown reference", event_type, extra={"reference": reference})
        return Outcome.IGNORED
    status = event_type.rpartition(".")[2]
    amount = paystack_amount(data.get("amount"))
    currency = str(data.get("currency") or withdrawal.currency_id).upper()
    with transaction.atomic(durable=True):
        locked: Withdrawal = lock_withdrawal(withdrawal.pk)
        campaign = lock_campaign(locked.campaign_id)
        if amount != locked.amount or currency != locked.currency_id:
            return _flag(
                locked,
                f"{event_type} reports {data.get('amount')!r} {currency}; the withdrawal is "
                f"{locked.amount} {locked.currency_id}.",
                "webhook",
            )
        code = str(data.get("transfer_code") or "")
        if code and not locked.transfer_code:
            locked.transfer_code = code[:64]
            locked.save(update_fields=["transfer_code", "updated_at"])
        return _apply_status(locked, campaign, status, source="webhook")


def payout_finalize(
    *, actor: User | None, withdrawal_id: Any, otp: Any, request: HttpRequest | None = None
) -> Withdrawal:
    """Give Paystack the OTP it asked for (the transfer answered `otp`)."""
    staff = _require_approver(actor)
    pk = _one_id(withdrawal_id)
    withdrawal = Withdrawal.objects.filter(pk=pk).first()
    if withdrawal is None:
        raise NotFound("No such withdrawal.")
    if withdrawal.status != W.PROCESSING or withdrawal.transfer_status != "otp":
        raise Conflict(
            "Only a transfer waiting for Paystack's OTP can be finalized; this withdrawal is "
            f"{withdrawal.status} ({withdrawal.transfer_status or 'no transfer status'}).",
            code="transfer_not_awaiting_otp",
            extra={"status": withdrawal.status},
        )
    token = str(otp or "").strip()
    if not token or len(token) > 20:
        raise InvalidInput("otp: Give the OTP Paystack sent.", fields={"otp": ["Required."]})
    try:
        transfer = get_paystack_client().finalize_transfer(
            transfer_code=withdrawal.transfer_code, otp=token
        )
    except PaystackRejected as exc:
        raise InvalidInput(
            f"otp: Paystack refused the OTP: {exc.message}",
            code="transfer_otp_rejected",
            fields={"otp": [f"Paystack refused the OTP: {exc.message}"]},
        ) from exc
    except PaystackError as exc:
        raise UpstreamError(
            "Paystack could not be reached; the transfer still waits for its OTP. Check it "
            "before trying again.",
            code="paystack_unavailable",
        ) from exc
    with transaction.atomic(durable=True):
        locked: Withdrawal = lock_withdrawal(pk)
        withdrawal_event_record(
            withdrawal=locked,
            type=E.FINALIZED,
            source="staff",
            actor=staff,
            data={"paystack_status": transfer.status},
        )
        audit_log(
            actor=staff,
            action="withdrawal.finalize",
            target_type="withdrawal",
            target_id=str(locked.pk),
            before={"transfer_status": "otp"},
            after={"transfer_status": transfer.status},
            request=request,
        )
    payout_apply_transfer(withdrawal_id=pk, transfer=transfer, source="staff")
    refreshed: Withdrawal = Withdrawal.objects.get(pk=pk)
    return refreshed


# --- the reconciler -----------------------------------------------------------------------


def payouts_reconcile(*, limit: int = 100) -> Counter[str]:
    """The safety net, run by beat: approved withdrawals whose transfer was never sent (a
    worker died, the broker dropped the task) are sent; processing ones Paystack has been
    quiet about are checked with transfer verify. Counts by outcome."""
    now = timezone.now()
    counts: Counter[str] = Counter()
    resend = now - timedelta(minutes=settings.PAYOUT_RESEND_AFTER_MINUTES)
    for pk in (
        Withdrawal.objects.filter(status=W.APPROVED, status_changed_at__lt=resend)
        .order_by("status_changed_at")
        .values_list("pk", flat=True)[:limit]
    ):
        counts[f"send:{payout_send_transfer(withdrawal_id=pk)}"] += 1
    verify = now - timedelta(minutes=settings.PAYOUT_VERIFY_AFTER_MINUTES)
    stuck = (
        Withdrawal.objects.filter(status=W.PROCESSING, updated_at__lt=verify)
        .exclude(transfer_status="otp")
        .order_by("updated_at")[:limit]
    )
    client = get_paystack_client()
    for withdrawal in stuck:
        try:
            transfer = client.verify_transfer(withdrawal.reference)
        except PaystackNotFound:
            with transaction.atomic(durable=True):
                missing = "Paystack has no transfer with this reference."
                flagged = _flag(lock_withdrawal(withdrawal.pk), missing, "reconciler")
            counts[f"verify:{flagged}"] += 1
            continue
        except PaystackError as exc:
            logger.warning(
                "transfer verify failed: %s", exc, extra={"withdrawal_id": str(withdrawal.pk)}
            )
            counts["verify:unreachable"] += 1
            continue
        outcome = payout_apply_transfer(
            withdrawal_id=withdrawal.pk, transfer=transfer, source="reconciler"
        )
        if outcome == Outcome.DUPLICATE:
            Withdrawal.objects.filter(pk=withdrawal.pk).update(updated_at=now)
        counts[f"verify:{outcome}"] += 1
    return counts


# --- telling the organiser ------------------------------------------------------------------


def payout_notify(withdrawal_id: str, template: str) -> None:
    """After commit: email the organiser (and SMS, where their phone is verified). Never
    raises: the money has moved whatever happens to a message."""
    from apps.notifications.services import notification_send

    try:
        withdrawal = Withdrawal.objects.select_related(
            "campaign", "requested_by", "bank_account"
        ).get(pk=withdrawal_id)
        user = withdrawal.requested_by
        context = {
            "first_name": user.first_name,
            "campaign_title": withdrawal.campaign.title,
            "amount_display": format_money(withdrawal.amount, withdrawal.currency_id),
            "bank_display": str(withdrawal.bank_account),
            "reference": withdrawal.reference,
            "reason": withdrawal.rejection_reason or withdrawal.failure_reason,
        }
        notification_send(
            channel="email", template=template, recipient=user.email, user=user, context=context
        )
        if user.phone and user.phone_verified:
            notification_send(
                channel="sms", template=template, recipient=user.phone, user=user, context=context
            )
    except Exception:
        logger.exception("payout notification not sent", extra={"withdrawal_id": withdrawal_id})
