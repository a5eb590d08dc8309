"""Bank accounts and withdrawal requests: every write of this app.

A withdrawal request holds its amount in the ledger (`withdrawal:<id>:hold`, campaign
available -> campaign held) in the transaction that creates it; cancelling it (or a
rejection, failure or reversal, in the payouts app) releases it
(`withdrawal:<id>:release`) exactly once. Locks follow `apps.core.locks`: withdrawal ->
campaign -> ledger accounts -> audit chain head. The campaign row lock serialises
requests against one campaign, so concurrent requests cannot together hold more than
its available balance (and the ledger's own check would refuse it anyway).

Paystack (bank resolve, transfer recipients) is called outside any transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.campaigns.models import Campaign, CampaignStatus
from apps.campaigns.selectors import campaign_find
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound, UpstreamError
from apps.core.locks import lock_campaign, lock_withdrawal
from apps.core.timeline import timeline_entry, timeline_status_change
from apps.currency.money import format_money
from apps.currency.selectors import currency_get
from apps.ledger.selectors import campaign_balances
from apps.ledger.services import InsufficientFunds, ledger_post_hold, ledger_post_release
from apps.payments.paystack import (
    RECIPIENT_TYPES,
    PaystackError,
    PaystackRejected,
    get_paystack_client,
)
from apps.platform_settings.selectors import get_platform_settings, withdrawal_cap_for

from .models import (
    BankAccount,
    Withdrawal,
    WithdrawalEvent,
    WithdrawalEventType,
    WithdrawalStatus,
)

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger(__name__)

W = WithdrawalStatus
E = WithdrawalEventType
NUBAN = re.compile(r"^[0-9]{10}$")
ACCOUNT_NUMBER = re.compile(r"^[0-9]{6,20}$")
# Campaigns whose raised money may be withdrawn (not while suspended).
WITHDRAWABLE = (CampaignStatus.ACTIVE, CampaignStatus.ENDED, CampaignStatus.CLOSED)


def _invalid(field: str, message: str, code: str = "validation_error") -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code, fields={field: [message]})


def withdrawal_reference_new() -> str:
    """Ours, unique, and what Paystack requires of a transfer reference: 16 to 50
    characters of lowercase letters, digits, `-` and `_` (here 27)."""
    return f"wd-{secrets.token_hex(12)}"


def withdrawal_event_record(
    *,
    withdrawal: Withdrawal | Any,
    type: WithdrawalEventType | str,
    source: str = "",
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> WithdrawalEvent:
    """Add one entry to a withdrawal's timeline, inside the transaction of the change."""
    event: WithdrawalEvent = timeline_entry(
        WithdrawalEvent,
        owner_field="withdrawal",
        owner=withdrawal,
        type=type,
        source=source,
        actor=actor,
        data=data,
    )
    return event


def withdrawal_status_change(
    withdrawal: Withdrawal,
    *,
    to: str,
    type: WithdrawalEventType,
    source: str,
    actor: User | None = None,
    **data: Any,
) -> list[str]:
    """Move a locked withdrawal to `to`, on its timeline; the fields to save."""
    return timeline_status_change(
        WithdrawalEvent,
        "withdrawal",
        withdrawal,
        to=to,
        type=type,
        source=source,
        actor=actor,
        **data,
    )


def withdrawal_release_hold(withdrawal: Withdrawal, campaign: Campaign, *, why: str) -> None:
    """Give the held amount back to the campaign's available balance (once: the posting's
    reference is unique). Inside the transaction that locked withdrawal and campaign."""
    ledger_post_release(
        reference=f"withdrawal:{withdrawal.pk}:release",
        campaign=campaign,
        amount=withdrawal.amount,
        memo={"withdrawal_id": str(withdrawal.pk), "why": why},
    )


# --- bank accounts --------------------------------------------------------------------------


def _fingerprint(bank_code: str, account_number: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{bank_code}:{account_number}".encode(), hashlib.sha256).hexdigest()


def _account_number(value: Any, currency: str) -> str:
    number = str(value or "").strip()
    if currency == "NGN":
        if not NUBAN.match(number):
            raise _invalid(
                "account_number",
                "A Nigerian (NUBAN) account number is exactly ten digits.",
                "invalid_account_number",
            )
    elif not ACCOUNT_NUMBER.match(number):
        raise _invalid(
            "account_number", "An account number is 6 to 20 digits.", "invalid_account_number"
        )
    return number


def _bank_code(value: Any) -> str:
    code = str(value or "").strip()
    if not code or len(code) > 20 or not code.replace("-", "").isalnum():
        raise _invalid("bank_code", "Give the bank's code from GET /v1/banks.")
    return code


def _resolve_refusal(exc: PaystackError) -> InvalidInput | UpstreamError:
    if isinstance(exc, PaystackRejected):
        return _invalid(
            "account_number",
            f"Paystack could not resolve this account: {exc.message}",
            "account_unresolvable",
        )
    return UpstreamError(
        "The bank lookup is not answering just now; please try again shortly.",
        code="paystack_unavailable",
    )


def bank_account_resolve(*, account_number: Any, bank_code: Any, currency: str = "NGN") -> str:
    """The name the bank holds for this account (`GET /v1/banks/resolve`)."""
    number = _account_number(account_number, currency)
    code = _bank_code(bank_code)
    try:
        return (
            get_paystack_client()
            .resolve_account(account_number=number, bank_code=code)
            .account_name
        )
    except PaystackError as exc:
        raise _resolve_refusal(exc) from exc


def bank_account_create(
    *, owner: User, bank_code: Any, account_number: Any, currency: Any = "NGN"
) -> BankAccount:
    """Resolve the account's name with Paystack, create the transfer recipient, keep it.

    The same account added again by the same owner is refused (409); the full number is
    never stored.
    """
    code_currency = str(currency or "NGN").strip().upper()
    info = currency_get(code_currency)
    if code_currency not in RECIPIENT_TYPES:
        raise _invalid(
            "currency", f"Payouts in {info.code} are not available yet.", "currency_disabled"
        )
    number = _account_number(account_number, code_currency)
    code = _bank_code(bank_code)
    fingerprint = _fingerprint(code, number)
    if BankAccount.objects.filter(
        owner=owner, account_fingerprint=fingerprint, is_active=True
    ).exists():
        raise Conflict("You have already added this bank account.", code="bank_account_exists")
    client = get_paystack_client()
    try:
        resolved = client.resolve_account(account_number=number, bank_code=code)
        recipient = client.create_transfer_recipient(
            name=resolved.account_name[:200],
            account_number=number,
            bank_code=code,
            currency=code_currency,
        )
    except PaystackError as exc:
        raise _resolve_refusal(exc) from exc
    bank_name = recipient.bank_name or _bank_name(code, code_currency)
    with transaction.atomic(durable=True):
        if BankAccount.objects.filter(
            owner=owner, account_fingerprint=fingerprint, is_active=True
        ).exists():
            raise Conflict("You have already added this bank account.", code="bank_account_exists")
        account = BankAccount.objects.create(
            owner=owner,
            currency_id=code_currency,
            bank_code=code,
            bank_name=bank_name[:200],
            account_last4=number[-4:],
            account_fingerprint=fingerprint,
            account_name=resolved.account_name[:200],
            recipient_code=recipient.recipient_code,
        )
    logger.info(
        "bank account added", extra={"bank_account_id": str(account.pk), "owner": str(owner.pk)}
    )
    return account


def _bank_name(code: str, currency: str) -> str:
    from .selectors import banks_list

    try:
        return next((b["name"] for b in banks_list(currency=currency) if b["code"] == code), "")
    except UpstreamError:
        return ""


def bank_account_delete(*, owner: User, account_id: Any) -> None:
    """Remove one of the owner's accounts from their list. Withdrawals already made to it
    keep paying to it."""
    account = _own_account(owner, account_id)
    BankAccount.objects.filter(pk=account.pk).update(is_active=False, updated_at=timezone.now())


def _own_account(owner: User, account_id: Any, *, field: str | None = None) -> BankAccount:
    try:
        pk = uuid.UUID(str(account_id))
    except ValueError:
        pk = None
    account = BankAccount.objects.filter(pk=pk, owner=owner, is_active=True).first() if pk else None
    if account is None:
        message = "No bank account of yours has this id."
        if field:
            raise NotFound(
                f"{field}: {message}", code="bank_account_not_found", fields={field: [message]}
            )
        raise NotFound(message, code="bank_account_not_found")
    return account


# --- withdrawal requests ------------------------------------------------------------------


def _campaign_of(actor: User, value: Any) -> Campaign:
    campaign = campaign_find(value)
    if campaign is None:
        raise NotFound(
            "campaign: No such campaign.",
            code="campaign_not_found",
            fields={"campaign": ["No such campaign."]},
        )
    if campaign.organizer_id != actor.pk:
        raise Forbidden(
            "Only the campaign's organiser can withdraw its funds.", code="not_organizer"
        )
    return campaign


def withdrawal_request(*, actor: User, campaign: Any, amount: Any, bank_account: Any) -> Withdrawal:
    """An organiser asks for `amount` (minor units of the campaign's currency) to be paid
    to one of their bank accounts. The amount is held in the ledger at once."""
    target = _campaign_of(actor, campaign)
    account = _own_account(actor, bank_account, field="bank_account")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise _invalid(
            "amount", "Must be a whole number of minor units above zero.", "invalid_amount"
        )
    currency = target.currency_id
    if account.currency_id != currency:
        raise _invalid(
            "bank_account",
            f"This account is paid in {account.currency_id}; the campaign raises {currency}.",
            "bank_account_currency_mismatch",
        )
    minimum = get_platform_settings().minimum_withdrawal(currency)
    if amount < minimum:
        raise _invalid(
            "amount",
            f"The minimum withdrawal is {format_money(minimum, currency)} ({minimum}).",
            "amount_too_small",
        )
    cap = withdrawal_cap_for(campaign_id=target.pk, currency=currency)
    if amount > cap:
        raise _invalid(
            "amount",
            f"At most {format_money(cap, currency)} ({cap}) can be withdrawn in one request.",
            "amount_above_cap",
        )

    with transaction.atomic(durable=True):
        locked = lock_campaign(target.pk)
        if locked.status not in WITHDRAWABLE:
            raise Conflict(
                f"Funds cannot be withdrawn while the campaign is {locked.status}.",
                code="campaign_not_withdrawable",
                extra={"status": locked.status},
            )
        available = int(campaign_balances(locked)["available"])
        if amount > available:
            raise InsufficientFunds(
                f"The campaign's available balance is {format_money(available, currency)} "
                f"({available}); {amount} was asked for.",
                extra={"available": available, "currency": currency, "needed": amount},
            )
        withdrawal = Withdrawal.objects.create(
            reference=withdrawal_reference_new(),
            campaign=locked,
            requested_by=actor,
            bank_account=account,
            amount=amount,
            currency_id=currency,
            status_changed_at=timezone.now(),
        )
        ledger_post_hold(
            reference=f"withdrawal:{withdrawal.pk}:hold",
            campaign=locked,
            amount=amount,
            memo={"withdrawal_id": str(withdrawal.pk)},
        )
        withdrawal_event_record(
            withdrawal=withdrawal,
            type=E.REQUESTED,
            source="api",
            actor=actor,
            data={
                "amount": amount,
                "currency": currency,
                "bank_account": account.masked_number,
                "available_before": available,
            },
        )
    logger.info(
        "withdrawal requested",
        extra={
            "withdrawal_id": str(withdrawal.pk),
            "campaign_id": str(target.pk),
            "amount": amount,
        },
    )
    return withdrawal


def withdrawal_cancel(*, actor: User, withdrawal: Withdrawal) -> Withdrawal:
    """The organiser takes back a request staff have not acted on; the hold is released."""
    if withdrawal.requested_by_id != actor.pk:
        raise NotFound("No withdrawal of yours has this id.")
    with transaction.atomic(durable=True):
        locked: Withdrawal = lock_withdrawal(withdrawal.pk)
        campaign = lock_campaign(locked.campaign_id)
        if locked.status != W.REQUESTED:
            raise Conflict(
                f"Only a requested withdrawal can be cancelled; this one is {locked.status}.",
                code="withdrawal_not_cancellable",
                extra={"status": locked.status},
            )
        fields = withdrawal_status_change(
            locked, to=W.CANCELLED, type=E.CANCELLED, source="api", actor=actor
        )
        locked.save(update_fields=fields)
        withdrawal_release_hold(locked, campaign, why="cancelled")
    return locked
