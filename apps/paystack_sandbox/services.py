"""The offline Paystack: state changes, Paystack-shaped objects, signed webhooks.

Used by `sandbox_api.py` (the fake API and the checkout page). Webhooks go out after
commit by a task that POSTs, over HTTP with `requests`, a body signed with the sandbox
key to PUBLIC_BASE_URL/v1/paystack/webhook: the offline flow runs through the same
signature check, event store and handlers as the real one.

Sandbox behaviour worth knowing (README.md "The Paystack sandbox" says what it does not do):
  * every answer and webhook has the shape of Paystack's documented one (the fixtures
    under tests/payments/fixtures/paystack/ and their schemas hold it to that);
  * an initialized transaction is "abandoned" until paid (as Paystack reports it);
  * the checkout page's buttons make it "success" (charge.success) or "failed"
    (charge.failed);
  * refunds are answered "pending"; refund.pending, then refund.processed (with a
    refund_reference) follow, as Paystack's refund events, without an id and with a
    string amount;
  * transfers are answered "pending" and transfer.success follows. Settings:
    PAYSTACK_SANDBOX_TRANSFER_OTP_SUFFIX ("otp", finalize with `SANDBOX_TRANSFER_OTP`,
    then "pending" and transfer.success), PAYSTACK_SANDBOX_TRANSFER_FAIL_SUFFIX
    (transfer.failed), PAYSTACK_SANDBOX_TRANSFER_REVERSE_SUFFIX (transfer.success, then
    transfer.reversed) when the amount's digits end with the suffix;
  * account number 0000000000 cannot be resolved.
"""

from __future__ import annotations

import json
import logging
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from apps.payments.signing import SANDBOX_SECRET_KEY, sign

from .models import SandboxRecipient, SandboxRefund, SandboxTransaction, SandboxTransfer

logger = logging.getLogger(__name__)

SANDBOX_TRANSFER_OTP = "123456"
SANDBOX_INTEGRATION_ID = 100001
SANDBOX_BUSINESS_NAME = "KROGiving Sandbox"
# Bank rows carry the date Paystack added them; the sandbox's banks are fixed.
BANKS_CREATED = "2016-07-14T10:04:29.000Z"
BANKS_UPDATED = "2024-03-21T09:12:40.000Z"
SANDBOX_CURRENCIES = ("NGN", "USD", "GHS", "KES", "ZAR")
UNRESOLVABLE_ACCOUNT = "0000000000"
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_WEBHOOK_PATH = "/v1/paystack/webhook"

# A few real banks per market, in Paystack's list shape.
BANKS: list[dict[str, Any]] = [
    {"id": 1, "name": "Access Bank", "slug": "access-bank", "code": "044", "type": "nuban"},
    {
        "id": 3,
        "name": "First Bank of Nigeria",
        "slug": "first-bank-of-nigeria",
        "code": "011",
        "type": "nuban",
    },
    {
        "id": 9,
        "name": "Guaranty Trust Bank",
        "slug": "guaranty-trust-bank",
        "code": "058",
        "type": "nuban",
    },
    {"id": 67, "name": "Kuda Bank", "slug": "kuda-bank", "code": "50211", "type": "nuban"},
    {
        "id": 171,
        "name": "OPay Digital Services Limited (OPay)",
        "slug": "paycom",
        "code": "999992",
        "type": "nuban",
    },
    {
        "id": 18,
        "name": "United Bank For Africa",
        "slug": "united-bank-for-africa",
        "code": "033",
        "type": "nuban",
    },
    {"id": 20, "name": "Wema Bank", "slug": "wema-bank", "code": "035", "type": "nuban"},
    {"id": 21, "name": "Zenith Bank", "slug": "zenith-bank", "code": "057", "type": "nuban"},
]
for _bank in BANKS:
    _bank.update({"country": "Nigeria", "currency": "NGN"})
BANKS += [
    {
        "id": 300,
        "name": "GCB Bank Limited",
        "slug": "gcb-bank-limited",
        "code": "040100",
        "type": "ghipss",
        "country": "Ghana",
        "currency": "GHS",
    },
    {
        "id": 301,
        "name": "Ecobank Ghana",
        "slug": "ecobank-ghana",
        "code": "130100",
        "type": "ghipss",
        "country": "Ghana",
        "currency": "GHS",
    },
    {
        "id": 400,
        "name": "Equity Bank Kenya",
        "slug": "equity-bank-kenya",
        "code": "68",
        "type": "kepss",
        "country": "Kenya",
        "currency": "KES",
    },
    {
        "id": 401,
        "name": "KCB Bank Kenya",
        "slug": "kcb-bank-kenya",
        "code": "01",
        "type": "kepss",
        "country": "Kenya",
        "currency": "KES",
    },
    {
        "id": 500,
        "name": "Standard Bank",
        "slug": "standard-bank",
        "code": "051001",
        "type": "basa",
        "country": "South Africa",
        "currency": "ZAR",
    },
    {
        "id": 501,
        "name": "First National Bank",
        "slug": "first-national-bank",
        "code": "250655",
        "type": "basa",
        "country": "South Africa",
        "currency": "ZAR",
    },
]
_NAMES = [
    "ADAEZE OKAFOR",
    "TUNDE BAKARE",
    "NGOZI EZE",
    "EMEKA NWOSU",
    "FUNMILAYO ADEYEMI",
    "CHIDI OKONKWO",
    "AMINA BELLO",
    "KWAME MENSAH",
    "WANJIRU KAMAU",
    "THANDIWE NDLOVU",
]


class SandboxRefusal(Exception):
    """What Paystack would answer `{"status": false, "message": ...}` with this HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _new_id() -> int:
    return 1_000_000_000 + secrets.randbelow(8_999_999_999)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text: str = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def checkout_url(access_code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/sandbox/checkout/{access_code}"


def bank_by_code(code: str, currency: str | None = None) -> dict[str, Any] | None:
    for bank in BANKS:
        if bank["code"] == code and (currency is None or bank["currency"] == currency):
            return bank
    return None


def resolve_account_name(account_number: str, bank_code: str) -> str:
    if (
        not account_number.isdigit()
        or account_number == UNRESOLVABLE_ACCOUNT
        or bank_by_code(bank_code) is None
        or not 6 <= len(account_number) <= 20
        # bank_by_code(bank_code) is not None: checked above.
        or (bank_by_code(bank_code)["currency"] == "NGN" and len(account_number) != 10)  # type: ignore[index]
    ):
        raise SandboxRefusal("Could not resolve account name. Check parameters or try again.", 422)
    return _NAMES[int(account_number) % len(_NAMES)]


# --- Transactions ---------------------------------------------------------------------


def sandbox_transaction_initialize(
    *,
    email: str,
    amount: int,
    currency: str,
    reference: str,
    callback_url: str = "",
    metadata: dict[str, Any] | None = None,
    channels: list[str] | None = None,
) -> SandboxTransaction:
    with transaction.atomic():
        if SandboxTransaction.objects.filter(reference=reference).exists():
            raise SandboxRefusal("Duplicate Transaction Reference")
        return SandboxTransaction.objects.create(
            paystack_id=_new_id(),
            reference=reference,
            access_code=get_random_string(12, _LOWER_ALNUM),
            email=email,
            amount=amount,
            currency=currency,
            callback_url=callback_url,
            metadata=metadata or {},
            channels=channels or [],
        )


def sandbox_transaction_complete(
    *, access_code: str, succeed: bool
) -> tuple[SandboxTransaction, bool]:
    """The donor pressed "Pay" or "Fail"; (transaction, changed). Only an unpaid
    transaction changes, so a double submit sends one webhook."""
    with transaction.atomic():
        tx = SandboxTransaction.objects.select_for_update(of=("self",)).get(access_code=access_code)
        if tx.status != SandboxTransaction.Status.ABANDONED:
            return tx, False
        now = timezone.now()
        tx.channel = "card"
        if succeed:
            tx.status = SandboxTransaction.Status.SUCCESS
            tx.gateway_response = "Successful"
            tx.paid_at = now
            tx.fees = min(tx.amount * 15 // 1000, 200_000)
        else:
            tx.status = SandboxTransaction.Status.FAILED
            tx.gateway_response = "Declined"
        tx.save(
            update_fields=["status", "gateway_response", "paid_at", "fees", "channel", "updated_at"]
        )
        event_type = "charge.success" if succeed else "charge.failed"
        transaction.on_commit(partial(_enqueue_webhook, "transaction", str(tx.id), event_type))
    return tx, True


def _customer(tx: SandboxTransaction) -> dict[str, Any]:
    return {
        "id": tx.paystack_id % 100_000_000,
        "first_name": None,
        "last_name": None,
        "email": tx.email,
        "customer_code": f"CUS_{tx.paystack_id}",
        "phone": None,
        "metadata": None,
        "risk_action": "default",
        "international_format_phone": None,
    }


def _authorization(tx: SandboxTransaction) -> dict[str, Any]:
    """The card the sandbox "charged"; {} until the transaction is paid."""
    if tx.paid_at is None:
        return {}
    return {
        "authorization_code": f"AUTH_{tx.paystack_id}",
        "bin": "408408",
        "last4": "4081",
        "exp_month": "12",
        "exp_year": "2030",
        "channel": "card",
        "card_type": "visa ",
        "bank": "TEST BANK",
        "country_code": "NG",
        "brand": "visa",
        "reusable": False,
        "signature": f"SIG_{tx.paystack_id}",
        "account_name": None,
    }


def transaction_data(tx: SandboxTransaction) -> dict[str, Any]:
    """A transaction as Paystack's verify answer and charge.* webhooks carry it."""
    return {
        "id": tx.paystack_id,
        "domain": "test",
        "status": tx.status,
        "reference": tx.reference,
        "receipt_number": None,
        "amount": tx.amount,
        "message": None,
        "gateway_response": tx.gateway_response,
        "paid_at": _iso(tx.paid_at),
        "created_at": _iso(tx.created_at),
        # Paystack names the checkout's channel even before payment.
        "channel": tx.channel or "card",
        "currency": tx.currency,
        "ip_address": "127.0.0.1",
        "metadata": tx.metadata or "",
        "log": None,
        "fees": tx.fees,
        "fees_split": None,
        "authorization": _authorization(tx),
        "customer": _customer(tx),
        "plan": None,
        "split": {},
        "order_id": None,
        "paidAt": _iso(tx.paid_at),
        "createdAt": _iso(tx.created_at),
        "requested_amount": tx.amount,
        "pos_transaction_data": None,
        "source": None,
        "fees_breakdown": None,
        "connect": None,
        "transaction_date": _iso(tx.created_at),
        "plan_object": {},
        "subaccount": {},
    }


# --- Refunds --------------------------------------------------------------------------


def sandbox_refund_create(
    *,
    transaction_ref: str,
    amount: int | None,
    currency: str | None,
    merchant_note: str = "",
    customer_note: str = "",
) -> SandboxRefund:
    with transaction.atomic():
        queryset = SandboxTransaction.objects.select_for_update(of=("self",))
        tx = queryset.filter(reference=transaction_ref).first()
        if tx is None and transaction_ref.isdigit():
            tx = queryset.filter(paystack_id=int(transaction_ref)).first()
        if tx is None:
            raise SandboxRefusal("Transaction not found", 404)
        if tx.status not in (SandboxTransaction.Status.SUCCESS,):
            raise SandboxRefusal("Cannot refund a transaction that was not successful")
        remaining = tx.amount - tx.refunded_amount
        amount = remaining if amount is None else amount
        if amount <= 0 or amount > remaining:
            raise SandboxRefusal("Refund amount cannot be more than the transaction amount")
        if currency and currency != tx.currency:
            raise SandboxRefusal("Currency does not match the transaction's currency")
        refund = SandboxRefund.objects.create(
            paystack_id=_new_id(),
            transaction=tx,
            amount=amount,
            currency=tx.currency,
            merchant_note=merchant_note,
            customer_note=customer_note,
        )
        tx.refunded_amount += amount
        if tx.refunded_amount == tx.amount:
            tx.status = SandboxTransaction.Status.REVERSED
        tx.save(update_fields=["refunded_amount", "status", "updated_at"])
        transaction.on_commit(partial(_enqueue_webhook, "refund", str(refund.id), "refund.pending"))
        transaction.on_commit(
            partial(_enqueue_webhook, "refund", str(refund.id), "refund.processed")
        )
    return refund


def refund_data(refund: SandboxRefund) -> dict[str, Any]:
    """A refund as `POST /refund` answers it."""
    tx = refund.transaction
    return {
        "transaction": {
            "id": tx.paystack_id,
            "domain": "test",
            "reference": tx.reference,
            "amount": tx.amount,
            "paid_at": _iso(tx.paid_at),
            "channel": tx.channel or "card",
            "currency": tx.currency,
            "authorization": {"exp_month": None, "exp_year": None, "account_name": None},
            "customer": {"international_format_phone": None},
            "plan": {},
            "subaccount": {"currency": None},
            "split": {},
            "order_id": None,
            "paidAt": _iso(tx.paid_at),
            "pos_transaction_data": None,
            "source": None,
            "fees_breakdown": None,
        },
        "integration": SANDBOX_INTEGRATION_ID,
        "deducted_amount": 0,
        "channel": None,
        "merchant_note": refund.merchant_note,
        "customer_note": refund.customer_note,
        "status": refund.status,
        "refunded_by": "sandbox@krogiving.local",
        "expected_at": _iso(refund.created_at + timedelta(days=9)),
        "currency": refund.currency,
        "domain": "test",
        "amount": refund.amount,
        "fully_deducted": False,
        "id": refund.paystack_id,
        "createdAt": _iso(refund.created_at),
        "updatedAt": _iso(refund.updated_at),
    }


def refund_reference(refund: SandboxRefund) -> str:
    """The processor's reference Paystack reports once a refund is processed."""
    return str(refund.paystack_id)


def _refund_webhook_data(refund: SandboxRefund) -> dict[str, Any]:
    """refund.*: as Paystack documents them: named by the transaction's reference, a
    string amount, no id; refund_reference null until processed."""
    tx = refund.transaction
    processed = refund.status == SandboxRefund.Status.PROCESSED
    return {
        "status": refund.status,
        "transaction_reference": tx.reference,
        "refund_reference": refund_reference(refund) if processed else None,
        "amount": str(refund.amount),
        "currency": refund.currency,
        "processor": "sandbox",
        "customer": {"first_name": None, "last_name": None, "email": tx.email},
        "integration": SANDBOX_INTEGRATION_ID,
        "domain": "test",
    }


# --- Recipients and transfers ---------------------------------------------------------


def sandbox_recipient_create(
    *, type: str, name: str, account_number: str, bank_code: str, currency: str
) -> SandboxRecipient:
    bank = bank_by_code(bank_code, currency)
    if bank is None:
        raise SandboxRefusal(f"Unknown bank code {bank_code} for {currency}")
    if type != bank["type"]:
        raise SandboxRefusal(f"Recipient type {type} does not fit {currency} bank accounts")
    resolve_account_name(account_number, bank_code)
    with transaction.atomic():
        existing = SandboxRecipient.objects.filter(
            account_number=account_number, bank_code=bank_code, currency=currency
        ).first()
        if existing is not None:  # Paystack returns the recipient it already has
            return existing
        return SandboxRecipient.objects.create(
            paystack_id=_new_id(),
            recipient_code="RCP_" + get_random_string(15, _LOWER_ALNUM),
            type=type,
            name=name,
            account_number=account_number,
            bank_code=bank_code,
            currency=currency,
        )


def recipient_data(recipient: SandboxRecipient, *, webhook: bool = False) -> dict[str, Any]:
    """A transfer recipient as the API answers it (camelCase dates), or as transfer.*
    webhooks carry it (snake_case dates)."""
    bank = bank_by_code(recipient.bank_code) or {}
    created, updated = _iso(recipient.created_at), _iso(recipient.updated_at)
    data = {
        "active": True,
        "currency": recipient.currency,
        "description": None,
        "domain": "test",
        "email": None,
        "id": recipient.paystack_id,
        "integration": SANDBOX_INTEGRATION_ID,
        "metadata": None,
        "name": recipient.name,
        "recipient_code": recipient.recipient_code,
        "type": recipient.type,
        "is_deleted": False,
        "details": {
            "authorization_code": None,
            "account_number": recipient.account_number,
            "account_name": resolve_account_name(recipient.account_number, recipient.bank_code),
            "bank_code": recipient.bank_code,
            "bank_name": bank.get("name", ""),
        },
    }
    if webhook:
        data.update({"created_at": created, "updated_at": updated})
    else:
        data.update({"createdAt": created, "updatedAt": updated, "isDeleted": False})
    return data


def _amount_ends_with(amount: int, setting: str) -> bool:
    suffix = str(getattr(settings, setting) or "")
    return bool(suffix) and str(amount).endswith(suffix)


def _transfer_outcome(amount: int) -> list[str]:
    """The webhooks a (released) sandbox transfer of `amount` sends, in order."""
    if _amount_ends_with(amount, "PAYSTACK_SANDBOX_TRANSFER_FAIL_SUFFIX"):
        return ["transfer.failed"]
    if _amount_ends_with(amount, "PAYSTACK_SANDBOX_TRANSFER_REVERSE_SUFFIX"):
        return ["transfer.success", "transfer.reversed"]
    return ["transfer.success"]


def _release_transfer(transfer: SandboxTransfer) -> None:
    """Queue the transfer's webhooks for after the commit (Paystack answered "pending")."""
    for event_type in _transfer_outcome(transfer.amount):
        transaction.on_commit(partial(_enqueue_webhook, "transfer", str(transfer.id), event_type))


def sandbox_transfer_initiate(
    *, amount: int, recipient_code: str, reference: str, reason: str, currency: str
) -> SandboxTransfer:
    with transaction.atomic():
        recipient = SandboxRecipient.objects.filter(recipient_code=recipient_code).first()
        if recipient is None:
            raise SandboxRefusal("Recipient specified is invalid", 404)
        if recipient.currency != currency:
            raise SandboxRefusal("Recipient's currency does not match the transfer currency")
        if SandboxTransfer.objects.filter(reference=reference).exists():
            raise SandboxRefusal("Duplicate Transfer Reference")
        otp = _amount_ends_with(amount, "PAYSTACK_SANDBOX_TRANSFER_OTP_SUFFIX")
        transfer = SandboxTransfer.objects.create(
            paystack_id=_new_id(),
            reference=reference,
            transfer_code="TRF_" + get_random_string(15, _LOWER_ALNUM),
            recipient=recipient,
            amount=amount,
            currency=currency,
            reason=reason,
            status=SandboxTransfer.Status.OTP if otp else SandboxTransfer.Status.PENDING,
        )
        if not otp:
            _release_transfer(transfer)
    return transfer


def sandbox_transfer_finalize(*, transfer_code: str, otp: str) -> SandboxTransfer:
    with transaction.atomic():
        transfer = (
            SandboxTransfer.objects.select_for_update(of=("self",))
            .filter(transfer_code=transfer_code)
            .first()
        )
        if transfer is None:
            raise SandboxRefusal("Transfer code is invalid", 404)
        if transfer.status != SandboxTransfer.Status.OTP:
            raise SandboxRefusal("Transfer is not currently awaiting OTP")
        if otp != SANDBOX_TRANSFER_OTP:
            raise SandboxRefusal("Invalid OTP")
        transfer.status = SandboxTransfer.Status.PENDING
        transfer.save(update_fields=["status", "updated_at"])
        _release_transfer(transfer)
    return transfer


def _session(transfer: SandboxTransfer) -> dict[str, Any]:
    """The payment network's session: known once the money moved."""
    if transfer.transferred_at is None:
        return {"provider": None, "id": None}
    return {"provider": "nip", "id": f"{transfer.paystack_id:030d}"}


def transfer_data(
    transfer: SandboxTransfer, *, recipient: str = "object", webhook: bool = False
) -> dict[str, Any]:
    """A transfer as Paystack shows it. API answers: `integration` is the integration's id,
    dates are camelCase, `recipient` the recipient's id after initiate/finalize
    (`recipient="id"`) or the recipient object on verify. transfer.* webhooks
    (`webhook=True`): `integration` is an object, dates are snake_case."""
    data = {
        "amount": transfer.amount,
        "currency": transfer.currency,
        "domain": "test",
        "failures": None,
        "id": transfer.paystack_id,
        "integration": (
            {
                "id": SANDBOX_INTEGRATION_ID,
                "is_live": False,
                "business_name": SANDBOX_BUSINESS_NAME,
            }
            if webhook
            else SANDBOX_INTEGRATION_ID
        ),
        "reason": transfer.reason,
        "reference": transfer.reference,
        "source": "balance",
        "source_details": None,
        "status": transfer.status,
        "titan_code": None,
        "transfer_code": transfer.transfer_code,
        "transferred_at": _iso(transfer.transferred_at),
        "recipient": (
            transfer.recipient.paystack_id
            if recipient == "id"
            else recipient_data(transfer.recipient, webhook=webhook)
        ),
        "session": _session(transfer),
    }
    if webhook:
        data.update(
            {"created_at": _iso(transfer.created_at), "updated_at": _iso(transfer.updated_at)}
        )
    else:
        data.update(
            {
                "request": transfer.paystack_id % 1_000_000_000,
                "fee_charged": 0,
                "fees_breakdown": None,
                "gateway_response": None,
                "createdAt": _iso(transfer.created_at),
                "updatedAt": _iso(transfer.updated_at),
            }
        )
    return data


# --- Webhooks -------------------------------------------------------------------------


def _enqueue_webhook(kind: str, object_id: str, event_type: str) -> None:
    from .tasks import deliver_sandbox_webhook

    try:
        deliver_sandbox_webhook.delay(kind, object_id, event_type)
    except Exception:
        logger.exception("sandbox webhook not enqueued", extra={"event_type": event_type})


# event -> (the status it leaves, the status it sets)
_TRANSFER_MOVES = {
    "transfer.success": (SandboxTransfer.Status.PENDING, SandboxTransfer.Status.SUCCESS),
    "transfer.failed": (SandboxTransfer.Status.PENDING, SandboxTransfer.Status.FAILED),
    "transfer.reversed": (SandboxTransfer.Status.SUCCESS, SandboxTransfer.Status.REVERSED),
}


@dataclass(frozen=True)
class _Built:
    event_type: str
    data: dict[str, Any]


def _build(kind: str, object_id: str, event_type: str) -> _Built:
    if kind == "transaction":
        return _Built(event_type, transaction_data(SandboxTransaction.objects.get(pk=object_id)))
    if kind == "refund":
        with transaction.atomic():
            refund = (
                SandboxRefund.objects.select_for_update(of=("self",))
                .select_related("transaction")
                .get(pk=object_id)
            )
            if event_type == "refund.processed" and refund.status != SandboxRefund.Status.PROCESSED:
                refund.status = SandboxRefund.Status.PROCESSED
                refund.save(update_fields=["status", "updated_at"])
            data = _refund_webhook_data(refund)
            if event_type == "refund.pending":
                data.update(status="pending", refund_reference=None)
        return _Built(event_type, data)
    if kind == "transfer":
        with transaction.atomic():
            transfer = (
                SandboxTransfer.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .get(pk=object_id)
            )
            moves = _TRANSFER_MOVES.get(event_type)
            if moves and transfer.status == moves[0]:
                transfer.status = moves[1]
                if moves[1] == SandboxTransfer.Status.SUCCESS:
                    transfer.transferred_at = timezone.now()
                transfer.save(update_fields=["status", "transferred_at", "updated_at"])
        return _Built(event_type, transfer_data(transfer, webhook=True))
    raise ValueError(f"unknown sandbox object kind {kind!r}")


def sandbox_webhook_deliver(*, kind: str, object_id: str, event_type: str) -> int:
    """POST the signed event to our own webhook endpoint; its HTTP status (0: not sent)."""
    built = _build(kind, object_id, event_type)
    body = json.dumps(
        {"event": built.event_type, "data": built.data}, separators=(",", ":")
    ).encode("utf-8")
    url = settings.PUBLIC_BASE_URL.rstrip("/") + _WEBHOOK_PATH
    try:
        response = requests.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "x-paystack-signature": sign(body, SANDBOX_SECRET_KEY),
            },
            timeout=(3.05, 30),
        )
    except requests.RequestException as exc:
        logger.warning(
            "sandbox webhook %s not delivered: %s",
            built.event_type,
            type(exc).__name__,
            extra={"event_type": built.event_type, "url": url},
        )
        return 0
    log = logger.info if response.ok else logger.warning
    log(
        "sandbox webhook %s -> %s",
        built.event_type,
        response.status_code,
        extra={"event_type": built.event_type, "url": url},
    )
    return response.status_code
