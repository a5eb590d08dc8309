"""The one Paystack client for the whole platform.

`get_paystack_client()` returns a `PaystackClient` talking to PAYSTACK_BASE_URL with
PAYSTACK_SECRET_KEY, or, when no key is set (the embedded default), the same class
pointed at the app's own offline sandbox (`PUBLIC_BASE_URL/sandbox/paystack`) with the
public sandbox key: one code path either way. Production refuses the sandbox.

Retries. A call is retried (3 attempts, exponential backoff, Retry-After honoured up to
a bound, all within a total deadline) on connection errors, timeouts, 429 and 5xx only
when repeating it cannot do harm:
  * reads (GET);
  * `initialize_transaction` and `initiate_transfer`, which carry our own unique
    reference: Paystack refuses a second transaction or transfer with the same
    reference, so a repeat cannot charge or pay twice. If the repeat is answered "duplicate
    reference" (the first attempt did reach Paystack), the client verifies by reference:
    `initiate_transfer` then returns the existing transfer (`recovered=True`);
    `initialize_transaction` raises `PaystackDuplicateReference` carrying the
    verification, because Paystack's verify answer has no checkout link to return;
  * `create_transfer_recipient`: a repeat at worst creates a second recipient record;
    no money moves.
`create_refund` and `finalize_transfer` are never repeated after the request may have
reached Paystack; they are retried only after a connect timeout, when nothing was sent.

Errors a caller must handle, all `PaystackError`:
  * `PaystackUnavailable`: timeouts, connection errors, 429/5xx after the retries (502).
  * `PaystackRejected`: Paystack said no (4xx, or `status: false`); carries Paystack's
    `message`, the HTTP status and Paystack's error `code` if any. Subclasses
    `PaystackNotFound` (unknown reference) and `PaystackDuplicateReference`.
  * `PaystackAuthError`: 401, our key is wrong: a configuration problem (502, alert).
  * `PaystackBadResponse`: not JSON, or the fields we need are missing (502).

Every call is logged (operation, method, path, status, duration, attempts, reference)
and leaves a `PaystackCall` row, never with the secret key, card or bank details.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.context import current_request_id
from apps.core.errors import UpstreamError

from .channels import paystack_channels
from .signing import SANDBOX_SECRET_KEY, secret_key

logger = logging.getLogger(__name__)

SANDBOX_PATH = "/sandbox/paystack"

# Paystack: "Only -, ., = and alphanumeric characters allowed" in a transaction reference;
# a transfer reference is 16 to 50 lowercase letters, digits, "-" and "_" ("Single
# Transfers: generate a transfer reference").
_TRANSACTION_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")
TRANSFER_REFERENCE_MIN = 16
TRANSFER_REFERENCE_MAX = 50
_TRANSFER_REFERENCE = re.compile(
    rf"^[a-z0-9_-]{{{TRANSFER_REFERENCE_MIN},{TRANSFER_REFERENCE_MAX}}}$"
)
_TRANSFER_PREFIX = re.compile(r"^[a-z0-9_-]{0,24}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ACCOUNT_NUMBER = re.compile(r"^[0-9]{6,20}$")
_DUPLICATE = re.compile(r"duplicate|already\s+(exists|been\s+used|used|in\s+use)", re.IGNORECASE)
_NOT_FOUND = re.compile(r"not\s+found", re.IGNORECASE)
# Transfer recipient type by currency (Paystack "Single Transfers"). KES bank accounts
# are "kepss"; Kenyan and Ghanaian mobile money would be "mobile_money" (pass `type`).
RECIPIENT_TYPES = {"NGN": "nuban", "GHS": "ghipss", "ZAR": "basa", "KES": "kepss"}
_ERROR_MAX = 1000
_BANK_PAGES_MAX = 20


# --- Errors ---------------------------------------------------------------------------


class PaystackError(Exception):
    """Base of every failure of a Paystack call."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        operation: str = "",
        reference: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.operation = operation
        self.reference = reference

    def as_api_error(self) -> UpstreamError:
        """The error a view answers with: 502 in the one error shape."""
        return UpstreamError(
            "The payment provider is unavailable just now. Please try again shortly.",
            code="paystack_unavailable",
        )


class PaystackUnavailable(PaystackError):
    """Timeout, connection failure, 429 or 5xx, after the retries allowed for the call."""


class PaystackAuthError(PaystackError):
    """401: Paystack refused our key. A configuration problem, not the user's."""


class PaystackBadResponse(PaystackError):
    """An answer that is not JSON or lacks the fields we need."""


class PaystackRejected(PaystackError):
    """Paystack refused the request (4xx or `status: false`); `message` is Paystack's own."""

    def __init__(self, message: str, *, code: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.code = code

    def as_api_error(self) -> UpstreamError:
        return UpstreamError(
            f"The payment provider refused the request: {self.message}",
            code="paystack_rejected",
        )


class PaystackNotFound(PaystackRejected):
    """Paystack knows no transaction or transfer with this reference."""


class PaystackDuplicateReference(PaystackRejected):
    """Paystack already has a transaction with our reference (an earlier attempt reached
    it) and the checkout link of that attempt is lost. `transaction` is what verifying
    the reference found. Start again with a new reference."""

    def __init__(self, message: str, *, transaction: TransactionVerification, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.transaction = transaction


# --- Results --------------------------------------------------------------------------


@dataclass(frozen=True)
class InitializedTransaction:
    authorization_url: str
    access_code: str
    reference: str


@dataclass(frozen=True)
class TransactionVerification:
    """`GET /transaction/verify/<reference>`. Credit only when `succeeded` and the
    amount and currency are what we asked for."""

    id: int | None
    reference: str
    status: str  # success | failed | abandoned | ongoing | pending | processing | reversed ...
    amount: int
    currency: str
    paid_at: datetime | None
    channel: str
    gateway_response: str
    fees: int | None
    customer_email: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


@dataclass(frozen=True)
class Refund:
    id: int | None
    status: str  # pending | processing | processed | failed ...
    amount: int
    currency: str
    transaction_reference: str
    transaction_id: int | None


@dataclass(frozen=True)
class Bank:
    name: str
    code: str
    slug: str
    currency: str
    country: str
    type: str
    active: bool


@dataclass(frozen=True)
class ResolvedAccount:
    account_number: str
    account_name: str
    bank_id: int | None


@dataclass(frozen=True)
class TransferRecipient:
    recipient_code: str
    name: str
    type: str
    currency: str
    account_name: str
    bank_code: str
    bank_name: str


@dataclass(frozen=True)
class Transfer:
    """A transfer as `POST /transfer`, finalize and verify report it.

    `status`: success | pending | otp | failed | reversed | abandoned | blocked |
    rejected | received. `recovered` is True when the transfer already existed under our
    reference (a repeated initiate) and was read back by verifying it.
    """

    status: str
    transfer_code: str
    reference: str
    amount: int
    currency: str
    id: int | None
    reason: str = ""
    transferred_at: datetime | None = None
    recovered: bool = False


# --- Client ---------------------------------------------------------------------------


class _Retry(enum.Enum):
    SAFE = "safe"  # retry on any transient failure
    NEVER = "never"  # retry only when nothing was sent (connect timeout)


@dataclass
class _Outcome:
    response: requests.Response | None = None
    error: str = ""
    attempts: int = 0


class PaystackClient:
    """Paystack's REST API over one `requests.Session`. See the module docstring."""

    def __init__(
        self,
        *,
        secret_key: str,
        base_url: str,
        timeout: tuple[float, float],
        max_attempts: int,
        backoff_seconds: float,
        retry_after_max_seconds: float,
        deadline_seconds: float,
        channels: Sequence[str],
        sandbox: bool = False,
    ) -> None:
        if not secret_key:
            raise ImproperlyConfigured("A Paystack client needs a secret key.")
        self._secret_key = secret_key
        self.base_url = base_url.rstrip("/")
        self.connect_timeout, self.read_timeout = (float(timeout[0]), float(timeout[1]))
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_seconds = max(0.0, float(backoff_seconds))
        self.retry_after_max_seconds = max(0.0, float(retry_after_max_seconds))
        self.deadline_seconds = float(deadline_seconds)
        self.channels = list(channels)
        self.sandbox = sandbox
        self.session = requests.Session()
        # The environment's proxies and CA bundle, read once for Paystack's base URL
        # (issue 15): with `trust_env` requests re-reads and re-parses them on every
        # call (a tenth of a call's CPU). A proxy or bundle change needs a restart.
        # Authentication is our own header, never ~/.netrc.
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if ca_bundle:
            self.session.verify = ca_bundle
        self.session.headers.update(
            {
                "Authorization": f"Bearer {secret_key}",
                "Accept": "application/json",
                "User-Agent": "KROGiving/1.0",
            }
        )

    def __repr__(self) -> str:  # never show the key
        return f"<PaystackClient {self.base_url}{' sandbox' if self.sandbox else ''}>"

    # --- transactions ---

    def initialize_transaction(
        self,
        *,
        email: str,
        amount: int,
        currency: str,
        reference: str,
        callback_url: str | None = None,
        metadata: dict[str, Any] | None = None,
        channels: list[str] | None = None,
    ) -> InitializedTransaction:
        """`POST /transaction/initialize`. Safe to repeat: the reference is ours and unique."""
        _check_amount(amount)
        _check_currency(currency)
        _check(_TRANSACTION_REFERENCE.match(reference or ""), "reference", reference)
        if not email or "@" not in email:
            raise ValueError("email must be an email address")
        body: dict[str, Any] = {
            "email": email,
            "amount": amount,
            "currency": currency,
            "reference": reference,
        }
        chosen = list(channels if channels is not None else self.channels)
        if chosen:  # none: Paystack offers what the dashboard enables for the currency
            body["channels"] = chosen
        if callback_url:
            body["callback_url"] = callback_url
        if metadata is not None:
            body["metadata"] = metadata
        try:
            envelope = self._call(
                "initialize_transaction",
                "POST",
                "/transaction/initialize",
                json=body,
                reference=reference,
                retry=_Retry.SAFE,
            )
        except PaystackRejected as exc:
            if not _is_duplicate(exc):
                raise
            found = self.verify_transaction(reference)
            raise PaystackDuplicateReference(
                f"Paystack already has a transaction with reference {reference} "
                f"(status {found.status}); its checkout link is lost. Use a new reference.",
                transaction=found,
                status_code=exc.status_code,
                operation="initialize_transaction",
                reference=reference,
                code=exc.code,
            ) from exc
        data = _data(envelope, "initialize_transaction", reference)
        if str(data.get("reference", reference)) != reference:
            raise PaystackBadResponse(
                "Paystack answered for another reference.",
                operation="initialize_transaction",
                reference=reference,
            )
        return InitializedTransaction(
            authorization_url=_str(data, "authorization_url", "initialize_transaction"),
            access_code=_str(data, "access_code", "initialize_transaction"),
            reference=reference,
        )

    def verify_transaction(self, reference: str) -> TransactionVerification:
        """`GET /transaction/verify/<reference>`."""
        _check(reference and len(reference) <= 100, "reference", reference)
        envelope = self._call(
            "verify_transaction",
            "GET",
            f"/transaction/verify/{quote(reference, safe='')}",
            reference=reference,
        )
        data = _data(envelope, "verify_transaction", reference)
        customer = data["customer"] if isinstance(data.get("customer"), dict) else {}
        metadata = data.get("metadata")
        return TransactionVerification(
            id=_opt_int(data.get("id")),
            reference=str(data.get("reference") or reference),
            status=_str(data, "status", "verify_transaction"),
            amount=_int(data, "amount", "verify_transaction"),
            currency=_str(data, "currency", "verify_transaction").upper(),
            paid_at=_datetime(data.get("paid_at") or data.get("paidAt")),
            channel=str(data.get("channel") or ""),
            gateway_response=str(data.get("gateway_response") or ""),
            fees=_opt_int(data.get("fees")),
            customer_email=str(customer.get("email") or ""),
            metadata=metadata if isinstance(metadata, dict) else {},
        )

    def create_refund(
        self,
        *,
        transaction: str | int,
        amount: int | None = None,
        currency: str | None = None,
        merchant_note: str | None = None,
        customer_note: str | None = None,
    ) -> Refund:
        """`POST /refund` for a transaction reference or id; `amount` None refunds it all.

        Never repeated once it may have reached Paystack: a second refund is money out.
        """
        _check(transaction not in (None, ""), "transaction", transaction)
        body: dict[str, Any] = {"transaction": transaction}
        if amount is not None:
            _check_amount(amount)
            body["amount"] = amount
        if currency is not None:
            _check_currency(currency)
            body["currency"] = currency
        if merchant_note:
            body["merchant_note"] = merchant_note
        if customer_note:
            body["customer_note"] = customer_note
        reference = str(transaction)
        envelope = self._call(
            "create_refund", "POST", "/refund", json=body, reference=reference, retry=_Retry.NEVER
        )
        data = _data(envelope, "create_refund", reference)
        tx = data.get("transaction")
        tx = tx if isinstance(tx, dict) else {"id": tx}
        return Refund(
            id=_opt_int(data.get("id")),
            status=str(data.get("status") or "pending"),
            amount=_int(data, "amount", "create_refund"),
            currency=str(data.get("currency") or currency or "").upper(),
            transaction_reference=str(tx.get("reference") or reference),
            transaction_id=_opt_int(tx.get("id")),
        )

    # --- banks ---

    def list_banks(self, *, currency: str | None = None, country: str | None = None) -> list[Bank]:
        """`GET /bank`, every page (cursor pagination)."""
        params: dict[str, Any] = {"perPage": 100, "use_cursor": "true"}
        if currency:
            _check_currency(currency)
            params["currency"] = currency
        if country:
            params["country"] = country
        banks: list[Bank] = []
        for _ in range(_BANK_PAGES_MAX):
            envelope = self._call("list_banks", "GET", "/bank", params=params)
            rows = envelope.get("data")
            if not isinstance(rows, list):
                raise PaystackBadResponse(
                    "Paystack's bank list has no data.", operation="list_banks"
                )
            for row in rows:
                if isinstance(row, dict) and row.get("code") and row.get("name"):
                    banks.append(
                        Bank(
                            name=str(row["name"]),
                            code=str(row["code"]),
                            slug=str(row.get("slug") or ""),
                            currency=str(row.get("currency") or ""),
                            country=str(row.get("country") or ""),
                            type=str(row.get("type") or ""),
                            active=bool(row.get("active", True)),
                        )
                    )
            meta = envelope["meta"] if isinstance(envelope.get("meta"), dict) else {}
            cursor = meta.get("next")
            if not cursor:
                break
            params = {**params, "next": cursor}
        return banks

    def resolve_account(self, *, account_number: str, bank_code: str) -> ResolvedAccount:
        """`GET /bank/resolve`: the name the bank holds for this account."""
        _check(_ACCOUNT_NUMBER.match(account_number or ""), "account_number", "(hidden)")
        _check(bank_code and len(bank_code) <= 20, "bank_code", bank_code)
        envelope = self._call(
            "resolve_account",
            "GET",
            "/bank/resolve",
            params={"account_number": account_number, "bank_code": bank_code},
        )
        data = _data(envelope, "resolve_account", "")
        return ResolvedAccount(
            account_number=str(data.get("account_number") or account_number),
            account_name=_str(data, "account_name", "resolve_account"),
            bank_id=_opt_int(data.get("bank_id")),
        )

    # --- transfers ---

    def create_transfer_recipient(
        self,
        *,
        name: str,
        account_number: str,
        bank_code: str,
        currency: str,
        type: str | None = None,
    ) -> TransferRecipient:
        """`POST /transferrecipient`. Repeating it is harmless: no money moves."""
        _check(name and len(name) <= 200, "name", name)
        _check(_ACCOUNT_NUMBER.match(account_number or ""), "account_number", "(hidden)")
        _check(bank_code and len(bank_code) <= 20, "bank_code", bank_code)
        _check_currency(currency)
        recipient_type = type or RECIPIENT_TYPES.get(currency)
        if not recipient_type:
            raise ValueError(f"pass the recipient type for {currency} transfers")
        envelope = self._call(
            "create_transfer_recipient",
            "POST",
            "/transferrecipient",
            json={
                "type": recipient_type,
                "name": name,
                "account_number": account_number,
                "bank_code": bank_code,
                "currency": currency,
            },
        )
        data = _data(envelope, "create_transfer_recipient", "")
        details = data["details"] if isinstance(data.get("details"), dict) else {}
        return TransferRecipient(
            recipient_code=_str(data, "recipient_code", "create_transfer_recipient"),
            name=str(data.get("name") or name),
            type=str(data.get("type") or recipient_type),
            currency=str(data.get("currency") or currency).upper(),
            account_name=str(details.get("account_name") or ""),
            bank_code=str(details.get("bank_code") or bank_code),
            bank_name=str(details.get("bank_name") or ""),
        )

    def initiate_transfer(
        self,
        *,
        amount: int,
        recipient_code: str,
        reference: str,
        reason: str = "",
        currency: str = "NGN",
    ) -> Transfer:
        """`POST /transfer` from the balance. Safe to repeat: `reference` is ours and unique.

        A repeat answered "duplicate reference" returns the existing transfer, verified
        by reference (`recovered=True`); if that transfer is for another amount or
        currency the reference was reused by mistake and PaystackRejected is raised.
        """
        _check_amount(amount)
        _check_currency(currency)
        check_transfer_reference(reference)
        _check(recipient_code and len(recipient_code) <= 64, "recipient_code", recipient_code)
        body = {
            "source": "balance",
            "amount": amount,
            "recipient": recipient_code,
            "reference": reference,
            "reason": reason,
            "currency": currency,
        }
        try:
            envelope = self._call(
                "initiate_transfer",
                "POST",
                "/transfer",
                json=body,
                reference=reference,
                retry=_Retry.SAFE,
            )
        except PaystackRejected as exc:
            if not _is_duplicate(exc):
                raise
            existing = self.verify_transfer(reference)
            if existing.amount != amount or existing.currency != currency:
                raise PaystackRejected(
                    f"Reference {reference} already belongs to a transfer of "
                    f"{existing.amount} {existing.currency}.",
                    status_code=exc.status_code,
                    operation="initiate_transfer",
                    reference=reference,
                    code=exc.code,
                ) from exc
            return dataclasses.replace(existing, recovered=True)
        return _transfer(_data(envelope, "initiate_transfer", reference), reference)

    def finalize_transfer(self, *, transfer_code: str, otp: str) -> Transfer:
        """`POST /transfer/finalize_transfer` with the OTP Paystack sent. Never repeated
        once sent (verify the transfer after a PaystackUnavailable instead)."""
        _check(transfer_code and len(transfer_code) <= 64, "transfer_code", transfer_code)
        _check(otp and len(otp) <= 20, "otp", "(hidden)")
        envelope = self._call(
            "finalize_transfer",
            "POST",
            "/transfer/finalize_transfer",
            json={"transfer_code": transfer_code, "otp": otp},
            reference=transfer_code,
            retry=_Retry.NEVER,
        )
        return _transfer(_data(envelope, "finalize_transfer", transfer_code), "")

    def verify_transfer(self, reference: str) -> Transfer:
        """`GET /transfer/verify/<reference>`."""
        _check(reference and len(reference) <= 100, "reference", reference)
        envelope = self._call(
            "verify_transfer",
            "GET",
            f"/transfer/verify/{quote(reference, safe='')}",
            reference=reference,
        )
        return _transfer(_data(envelope, "verify_transfer", reference), reference)

    # --- the one request path ---

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        reference: str = "",
        retry: _Retry | None = None,
    ) -> dict[str, Any]:
        """Send, retrying as the call allows; the decoded envelope, or a PaystackError.

        Leaves one PaystackCall row and one log line whatever happens.
        """
        if retry is None:
            retry = _Retry.SAFE if method == "GET" else _Retry.NEVER
        started = time.monotonic()
        outcome = self._send(method, path, params=params, json=json, retry=retry, started=started)
        duration_ms = int((time.monotonic() - started) * 1000)
        response = outcome.response
        error: PaystackError | None = None
        envelope: dict[str, Any] = {}
        body: Any = None
        context: dict[str, Any] = {"operation": operation, "reference": reference}
        if response is None:
            error = PaystackUnavailable(
                f"Paystack could not be reached: {outcome.error}.", **context
            )
        else:
            status = response.status_code
            try:
                body = response.json()
            except ValueError:
                body = None
            message = _message(body) or response.reason or f"HTTP {status}"
            message = self._scrub(message)
            code = str(body.get("code") or "") if isinstance(body, dict) else ""
            if status == 429 or status >= 500:
                error = PaystackUnavailable(
                    f"Paystack answered HTTP {status}: {message}", status_code=status, **context
                )
            elif status == 401:
                error = PaystackAuthError(
                    f"Paystack refused our key: {message}", status_code=status, **context
                )
            elif not isinstance(body, dict):
                error = PaystackBadResponse(
                    f"Paystack's answer (HTTP {status}) is not a JSON object.",
                    status_code=status,
                    **context,
                )
            elif status == 404 or (400 <= status < 500 and _NOT_FOUND.search(message)):
                error = PaystackNotFound(message, status_code=status, code=code, **context)
            elif 400 <= status < 500:
                error = PaystackRejected(message, status_code=status, code=code, **context)
            elif not 200 <= status < 300:
                error = PaystackBadResponse(
                    f"Unexpected HTTP {status} from Paystack.", status_code=status, **context
                )
            elif body.get("status") is not True:
                error = PaystackRejected(message, status_code=status, code=code, **context)
            else:
                envelope = body
        self._record(
            operation=operation,
            method=method,
            path=path,
            reference=reference,
            status_code=response.status_code if response is not None else None,
            ok=error is None,
            attempts=outcome.attempts,
            duration_ms=duration_ms,
            error=str(error) if error else "",
            body=body,
        )
        if error is not None:
            raise error
        return envelope

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        json: dict[str, Any] | None,
        retry: _Retry,
        started: float,
    ) -> _Outcome:
        url = f"{self.base_url}{path}"
        deadline = started + self.deadline_seconds
        outcome = _Outcome()
        while True:
            outcome.attempts += 1
            outcome.response = None
            read_timeout = max(1.0, min(self.read_timeout, deadline - time.monotonic()))
            retryable = False
            wait = self.backoff_seconds * (2 ** (outcome.attempts - 1))
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=(self.connect_timeout, read_timeout),
                )
            except requests.ConnectTimeout:
                # Nothing reached Paystack: safe to repeat whatever the call.
                outcome.error = "connection timed out"
                retryable = True
            except requests.Timeout:
                outcome.error = "timed out waiting for the answer"
                retryable = retry is _Retry.SAFE
            except requests.ConnectionError:
                outcome.error = "connection failed"
                retryable = retry is _Retry.SAFE
            except requests.RequestException as exc:
                outcome.error = f"request failed ({type(exc).__name__})"
            else:
                outcome.response = response
                outcome.error = ""
                if response.status_code == 429 or response.status_code >= 500:
                    retryable = retry is _Retry.SAFE
                    retry_after = _retry_after(response)
                    if retry_after is not None:
                        wait = retry_after
                    outcome.error = f"HTTP {response.status_code}"
            if not retryable or outcome.attempts >= self.max_attempts:
                return outcome
            wait = min(wait, self.retry_after_max_seconds)
            if time.monotonic() + wait >= deadline:
                return outcome
            logger.info(
                "paystack %s %s: %s, retrying in %.2fs",
                method,
                path,
                outcome.error,
                wait,
                extra={"paystack_path": path, "attempt": outcome.attempts},
            )
            time.sleep(wait)

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret_key, "***") if self._secret_key else text

    def _record(
        self,
        *,
        operation: str,
        method: str,
        path: str,
        reference: str,
        status_code: int | None,
        ok: bool,
        attempts: int,
        duration_ms: int,
        error: str,
        body: Any,
    ) -> None:
        error = self._scrub(error)[:_ERROR_MAX]
        extra = {
            "paystack_operation": operation,
            "paystack_method": method,
            "paystack_path": path,
            "paystack_status": status_code,
            "paystack_reference": reference,
            "duration_ms": duration_ms,
            "attempts": attempts,
            "sandbox": self.sandbox,
        }
        if ok:
            logger.info(
                "paystack %s %s -> %s in %dms", method, path, status_code, duration_ms, extra=extra
            )
        else:
            logger.warning(
                "paystack %s %s failed: %s", method, path, error, extra={**extra, "error": error}
            )
        from .models import PaystackCall

        summary = summarize(body, secret=self._secret_key) if body is not None else {}
        try:
            # Autocommit: the INSERT alone (no BEGIN/COMMIT around it, one round trip per
            # call instead of three); inside a caller's transaction, a savepoint so that a
            # failure here cannot break it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                PaystackCall.objects.create(
                    operation=operation,
                    method=method,
                    path=path[:255],
                    reference=reference[:255],
                    status_code=status_code,
                    ok=ok,
                    attempts=attempts,
                    duration_ms=duration_ms,
                    error=error,
                    response_summary=summary if isinstance(summary, dict) else {"body": summary},
                    sandbox=self.sandbox,
                    request_id=current_request_id()[:64],
                )
        except DatabaseError:
            logger.exception("paystack call not recorded", extra=extra)


# --- Factory --------------------------------------------------------------------------

_clients = threading.local()


def get_paystack_client() -> PaystackClient:
    """The platform's Paystack client, from settings read now.

    With PAYSTACK_SECRET_KEY: the real API at PAYSTACK_BASE_URL. Without it: the same
    client pointed at the local sandbox; refused (ImproperlyConfigured) in production.
    One client (and connection pool) per thread and configuration.
    """
    key = secret_key()
    sandbox = not key
    if sandbox:
        if settings.IS_PRODUCTION:
            raise ImproperlyConfigured(
                "PAYSTACK_SECRET_KEY is not set: production never uses the Paystack sandbox."
            )
        key = SANDBOX_SECRET_KEY
        base_url = settings.PUBLIC_BASE_URL.rstrip("/") + SANDBOX_PATH
    else:
        base_url = settings.PAYSTACK_BASE_URL
    timeout = settings.PAYSTACK_TIMEOUT
    if isinstance(timeout, int | float):
        timeout = (float(timeout), float(timeout))
    config = (
        key,
        base_url,
        tuple(timeout),
        settings.PAYSTACK_MAX_ATTEMPTS,
        settings.PAYSTACK_RETRY_BACKOFF_SECONDS,
        settings.PAYSTACK_RETRY_AFTER_MAX_SECONDS,
        settings.PAYSTACK_DEADLINE_SECONDS,
        tuple(paystack_channels(None)),
        sandbox,
    )
    cache = getattr(_clients, "by_config", None)
    if cache is None:
        cache = _clients.by_config = {}
    client = cache.get(config)
    if client is None:
        client = PaystackClient(
            secret_key=key,
            base_url=base_url,
            timeout=config[2],
            max_attempts=config[3],
            backoff_seconds=config[4],
            retry_after_max_seconds=config[5],
            deadline_seconds=config[6],
            channels=list(config[7]),
            sandbox=sandbox,
        )
        cache.clear()  # settings changed: drop the old client
        cache[config] = client
    return client


# --- Helpers --------------------------------------------------------------------------


def check_transfer_reference(reference: Any) -> None:
    """ValueError unless `reference` is a transfer reference Paystack accepts: 16 to 50
    characters of lowercase letters, digits, "-" and "_"."""
    if not isinstance(reference, str) or not _TRANSFER_REFERENCE.match(reference):
        raise ValueError(
            f"invalid transfer reference {reference!r}: Paystack wants "
            f"{TRANSFER_REFERENCE_MIN} to {TRANSFER_REFERENCE_MAX} characters of lowercase "
            'letters, digits, "-" and "_"'
        )


def new_transfer_reference(prefix: str = "payout") -> str:
    """A fresh transfer (payout) reference that meets Paystack's rule: `prefix` (up to 24
    lowercase letters, digits, "-" or "_"), "_" and 24 random lowercase hex digits; so 25
    to 49 characters. Unique enough to be the one reference of a payout for good."""
    if not isinstance(prefix, str) or not _TRANSFER_PREFIX.match(prefix):
        raise ValueError(
            f'invalid prefix {prefix!r}: up to 24 lowercase letters, digits, "-" or "_"'
        )
    reference = f"{prefix}_{secrets.token_hex(12)}" if prefix else secrets.token_hex(12)
    check_transfer_reference(reference)
    return reference


def _check(ok: Any, name: str, value: Any) -> None:
    if not ok:
        raise ValueError(f"invalid {name}: {value!r}")


def _check_amount(amount: Any) -> None:
    if type(amount) is not int or amount <= 0:
        raise ValueError(f"amount must be a positive int in minor units, not {amount!r}")


def _check_currency(currency: Any) -> None:
    _check(isinstance(currency, str) and _CURRENCY.match(currency), "currency", currency)


def _is_duplicate(exc: PaystackRejected) -> bool:
    return (exc.status_code or 0) in (400, 409, 422) and bool(_DUPLICATE.search(exc.message))


def _message(body: Any) -> str:
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])[:500]
    return ""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


def _data(envelope: dict[str, Any], operation: str, reference: str) -> dict[str, Any]:
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise PaystackBadResponse(
            "Paystack's answer has no data object.", operation=operation, reference=reference
        )
    return data


def _str(data: dict[str, Any], key: str, operation: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise PaystackBadResponse(f"Paystack's answer has no {key}.", operation=operation)
    return str(value)


def _int(data: dict[str, Any], key: str, operation: str) -> int:
    value = _opt_int(data.get(key))
    if value is None:
        raise PaystackBadResponse(f"Paystack's answer has no whole {key}.", operation=operation)
    return value


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _transfer(data: dict[str, Any], reference: str) -> Transfer:
    return Transfer(
        status=_str(data, "status", "transfer"),
        transfer_code=str(data.get("transfer_code") or ""),
        reference=str(data.get("reference") or reference),
        amount=_int(data, "amount", "transfer"),
        currency=str(data.get("currency") or "").upper(),
        id=_opt_int(data.get("id")),
        reason=str(data.get("reason") or ""),
        transferred_at=_datetime(data.get("transferred_at")),
    )


# --- Summaries without card or bank details ----------------------------------------------

_DROP = frozenset({"authorization_code", "signature", "bin", "log", "otp", "account_name"})
_MASK = frozenset({"account_number"})
_AUTHORIZATION_KEEP = ("channel", "card_type", "brand", "bank", "country_code", "last4")
_LIST_MAX = 3
_TEXT_MAX = 200
_DEPTH_MAX = 5


def summarize(value: Any, *, secret: str = "", depth: int = 0) -> Any:
    """A pruned copy of a Paystack answer for the PaystackCall row.

    Drops authorization codes, card BINs, signatures, account names and the payment log,
    masks account numbers to their last 4 digits, keeps only the card's type and last 4
    digits, cuts lists to their first items and long strings; the secret never appears.
    """
    if depth > _DEPTH_MAX:
        return "…"
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            if key in _DROP:
                continue
            if key in _MASK and item not in (None, ""):
                out[key] = "****" + str(item)[-4:]
            elif key == "authorization" and isinstance(item, dict):
                out[key] = {k: item.get(k) for k in _AUTHORIZATION_KEEP if k in item}
            else:
                out[key] = summarize(item, secret=secret, depth=depth + 1)
        return out
    if isinstance(value, list):
        items = [summarize(item, secret=secret, depth=depth + 1) for item in value[:_LIST_MAX]]
        if len(value) > _LIST_MAX:
            items.append(f"… {len(value) - _LIST_MAX} more")
        return items
    if isinstance(value, str):
        if secret and secret in value:
            value = value.replace(secret, "***")
        return value if len(value) <= _TEXT_MAX else value[:_TEXT_MAX] + "…"
    return value


def paystack_amount(value: Any) -> int | None:
    """An amount as Paystack sends it in events: an integer, or digits in a string
    ("5000", as refund events carry it). None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
