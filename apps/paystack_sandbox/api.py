"""The offline Paystack: a Paystack-compatible API subset and a checkout page.

Served under /sandbox/ only while no PAYSTACK_SECRET_KEY is set and never in
production: otherwise every sandbox URL answers 404. The API checks the sandbox key in
`Authorization: Bearer ...` and answers in Paystack's shapes
(`{"status": true, "message": ..., "data": ...}`, or `{"status": false, "message": ...}`).
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.core.errors import error_body
from apps.payments.signing import SANDBOX_SECRET_KEY, sandbox_allowed

from .models import SandboxTransaction, SandboxTransfer
from .services import (
    BANKS,
    BANKS_CREATED,
    BANKS_UPDATED,
    SANDBOX_CURRENCIES,
    SandboxRefusal,
    checkout_url,
    recipient_data,
    refund_data,
    resolve_account_name,
    sandbox_recipient_create,
    sandbox_refund_create,
    sandbox_transaction_complete,
    sandbox_transaction_initialize,
    sandbox_transfer_finalize,
    sandbox_transfer_initiate,
    transaction_data,
    transfer_data,
)

_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")
# Paystack: a transfer reference is 16 to 50 lowercase letters, digits, "-" and "_".
_TRANSFER_REFERENCE = re.compile(r"^[a-z0-9_-]{16,50}$")
_AMOUNT_MAX = 10**13


def _ok(message: str, data: Any, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"status": True, "message": message, "data": data, **extra}, status=status, safe=False
    )


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"status": False, "message": message}, status=status)


def _not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("not_found", f"Nothing is found at {request.path}."), status=404)


def sandbox_only(view):
    """404 unless the sandbox may run (no real key, not production)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not sandbox_allowed():
            return _not_found(request)
        return view(request, *args, **kwargs)

    return wrapped


def paystack_api(*methods: str):
    """A sandbox API endpoint: sandbox only, Bearer sandbox key, Paystack-shaped refusals."""

    def decorate(view):
        @csrf_exempt
        @sandbox_only
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return _refused(f"Method {request.method} not allowed", 405)
            if request.headers.get("Authorization", "") != f"Bearer {SANDBOX_SECRET_KEY}":
                return _refused("Invalid key", 401)
            try:
                return view(request, *args, **kwargs)
            except SandboxRefusal as refusal:
                return _refused(refusal.message, refusal.status)

        return wrapped

    return decorate


def _body(request: HttpRequest) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise SandboxRefusal("Invalid JSON body") from exc
        if not isinstance(body, dict):
            raise SandboxRefusal("Invalid JSON body")
        return body
    return request.POST.dict()


def _amount(value: Any, name: str = "amount") -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if type(value) is not int or not 0 < value < _AMOUNT_MAX:
        raise SandboxRefusal(f"Invalid {name}: send a positive whole number in minor units")
    return value


def _currency(value: Any) -> str:
    currency = str(value or "NGN").upper()
    if currency not in SANDBOX_CURRENCIES:
        raise SandboxRefusal("Currency not supported by merchant")
    return currency


def _text(body: dict, name: str, *, required: bool = True, max_length: int = 200) -> str:
    value = body.get(name)
    if value in (None, ""):
        if required:
            raise SandboxRefusal(f"{name} is required")
        return ""
    if not isinstance(value, str | int) or len(str(value)) > max_length:
        raise SandboxRefusal(f"Invalid {name}")
    return str(value)


# --- Transactions ---------------------------------------------------------------------


@paystack_api("POST")
def initialize(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    email = _text(body, "email", max_length=254)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise SandboxRefusal("Invalid Email Address Passed") from exc
    reference = _text(body, "reference", required=False, max_length=100)
    if reference and not _REFERENCE.match(reference):
        raise SandboxRefusal("Invalid reference: only -, ., = and alphanumerics allowed")
    metadata = body.get("metadata") or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError as exc:
            raise SandboxRefusal("Invalid metadata: send a JSON object") from exc
    if not isinstance(metadata, dict):
        raise SandboxRefusal("Invalid metadata: send a JSON object")
    channels = body.get("channels") or []
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise SandboxRefusal("Invalid channels: send a list of strings")
    callback_url = _text(body, "callback_url", required=False, max_length=500)
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise SandboxRefusal("Invalid callback_url")
    tx = sandbox_transaction_initialize(
        email=email,
        amount=_amount(body.get("amount")),
        currency=_currency(body.get("currency")),
        reference=reference or uuid.uuid4().hex[:16],
        callback_url=callback_url,
        metadata=metadata,
        channels=channels,
    )
    return _ok(
        "Authorization URL created",
        {
            "authorization_url": checkout_url(tx.access_code),
            "access_code": tx.access_code,
            "reference": tx.reference,
        },
    )


@paystack_api("GET")
def verify(request: HttpRequest, reference: str) -> HttpResponse:
    tx = SandboxTransaction.objects.filter(reference=reference).first()
    if tx is None:
        raise SandboxRefusal("Transaction reference not found")
    return _ok("Verification successful", transaction_data(tx))


@paystack_api("POST")
def refund(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    amount = body.get("amount")
    currency = body.get("currency")
    created = sandbox_refund_create(
        transaction_ref=_text(body, "transaction", max_length=100),
        amount=None if amount in (None, "") else _amount(amount),
        currency=None if not currency else _currency(currency),
        merchant_note=_text(body, "merchant_note", required=False, max_length=500),
        customer_note=_text(body, "customer_note", required=False, max_length=500),
    )
    return _ok("Refund has been queued for processing", refund_data(created))


# --- Banks ----------------------------------------------------------------------------


@paystack_api("GET")
def banks(request: HttpRequest) -> HttpResponse:
    currency = request.GET.get("currency", "").upper()
    country = request.GET.get("country", "").replace("_", " ").replace("-", " ").lower()
    rows = [
        {
            **bank,
            "longcode": "",
            "gateway": None,
            "pay_with_bank": False,
            "supports_transfer": True,
            "available_for_direct_debit": False,
            "active": True,
            "is_deleted": False,
            "createdAt": BANKS_CREATED,
            "updatedAt": BANKS_UPDATED,
        }
        for bank in BANKS
        if (not currency or bank["currency"] == currency)
        and (not country or bank["country"].lower() == country)
    ]
    return _ok("Banks retrieved", rows, meta={"next": None, "previous": None, "perPage": 100})


@paystack_api("GET")
def resolve(request: HttpRequest) -> HttpResponse:
    account_number = request.GET.get("account_number", "")
    bank_code = request.GET.get("bank_code", "")
    name = resolve_account_name(account_number, bank_code)
    return _ok(
        "Account number resolved",
        {"account_number": account_number, "account_name": name, "bank_id": 9},
    )


# --- Transfers ------------------------------------------------------------------------


@paystack_api("POST")
def transfer_recipient(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    recipient = sandbox_recipient_create(
        type=_text(body, "type", max_length=20),
        name=_text(body, "name"),
        account_number=_text(body, "account_number", max_length=20),
        bank_code=_text(body, "bank_code", max_length=20),
        currency=_currency(body.get("currency")),
    )
    return _ok("Transfer recipient created successfully", recipient_data(recipient), status=201)


@paystack_api("POST")
def transfer(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if body.get("source", "balance") != "balance":
        raise SandboxRefusal("Invalid source: only balance is supported")
    reference = _text(body, "reference", max_length=100)
    if not _TRANSFER_REFERENCE.match(reference):
        raise SandboxRefusal(
            "Invalid transfer reference: use 16 to 50 lowercase letters, digits, - and _"
        )
    created = sandbox_transfer_initiate(
        amount=_amount(body.get("amount")),
        recipient_code=_text(body, "recipient", max_length=64),
        reference=reference,
        reason=_text(body, "reason", required=False, max_length=500),
        currency=_currency(body.get("currency")),
    )
    message = (
        "Transfer requires OTP to continue"
        if created.status == SandboxTransfer.Status.OTP
        else "Transfer has been queued"
    )
    return _ok(message, transfer_data(created, recipient="id"))


@paystack_api("POST")
def finalize_transfer(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    finalized = sandbox_transfer_finalize(
        transfer_code=_text(body, "transfer_code", max_length=64),
        otp=_text(body, "otp", max_length=20),
    )
    return _ok("Transfer has been queued", transfer_data(finalized, recipient="id"))


@paystack_api("GET")
def verify_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    found = SandboxTransfer.objects.select_related("recipient").filter(reference=reference).first()
    if found is None:
        raise SandboxRefusal("Transfer not found")
    return _ok("Transfer retrieved", transfer_data(found))


# --- Checkout page --------------------------------------------------------------------


def _format_amount(amount: int, currency: str) -> str:
    try:
        from apps.currency.money import format_money

        return format_money(amount, currency)
    except Exception:  # an unknown currency still shows: "NGN 1,234.50"
        whole, fraction = divmod(amount, 100)
        return f"{currency} {whole:,}.{fraction:02d}"


def custom_fields(metadata: Any) -> list[tuple[str, str]]:
    """`metadata.custom_fields` as (label, value) pairs, as Paystack shows them with a
    transaction; whatever is malformed is left out (metadata is the merchant's JSON)."""
    fields = metadata.get("custom_fields") if isinstance(metadata, dict) else None
    shown: list[tuple[str, str]] = []
    for field in fields if isinstance(fields, list) else []:
        if not isinstance(field, dict):
            continue
        label = field.get("display_name") or field.get("variable_name")
        value = field.get("value")
        if isinstance(label, str) and isinstance(value, str | int) and label and value != "":
            shown.append((label[:100], str(value)[:300]))
    return shown


def _campaign_name(fields: list[tuple[str, str]]) -> str:
    for label, value in fields:
        if label.lower() == "campaign":
            return value
    return ""


@sandbox_only
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, access_code: str) -> HttpResponse:
    """The sandbox's payment page. POST (CSRF-protected) `action=pay` or `action=fail`.

    It names the amount and the merchant's custom fields (our initialize sends the
    campaign as one). After paying or failing, a transaction started with a
    `callback_url` redirects there with `?trxref=<ref>&reference=<ref>`, as Paystack
    does; one without shows the sandbox's own result page."""
    tx = SandboxTransaction.objects.filter(access_code=access_code).first()
    if tx is None:
        return _not_found(request)
    changed = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "fail"):
            return JsonResponse(
                error_body(
                    "validation_error",
                    "action: Choose pay or fail.",
                    {"action": ["Choose pay or fail."]},
                ),
                status=400,
            )
        tx, changed = sandbox_transaction_complete(access_code=access_code, succeed=action == "pay")
        if tx.callback_url:
            separator = "&" if "?" in tx.callback_url else "?"
            return HttpResponseRedirect(
                f"{tx.callback_url}{separator}trxref={tx.reference}&reference={tx.reference}"
            )
    fields = custom_fields(tx.metadata)
    context = {
        "tx": tx,
        "custom_fields": fields,
        "campaign_name": _campaign_name(fields),
        "amount_display": _format_amount(tx.amount, tx.currency),
        "payable": tx.status == SandboxTransaction.Status.ABANDONED,
        "just_completed": changed,
    }
    template = "paystack_sandbox/checkout.html"
    if tx.status != SandboxTransaction.Status.ABANDONED:
        template = "paystack_sandbox/complete.html"
    return render(request, template, context)
