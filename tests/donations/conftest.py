"""Donation tests: Paystack faked at the HTTP layer (`responses`), webhooks signed here.

`paystack_settings` (tests/conftest.py) points the client at the fake.
`paystack` is a small stateful fake of the Paystack API at PAYSTACK_BASE_URL: it
remembers what was initialized, answers verify from that state (a test "pays" with
`paystack.pay(reference)`), and records refunds. Failure modes are switched on per call
kind (`paystack.fail["verify"] = ...`).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from apps.ledger.models import AccountKind
from apps.ledger.selectors import account_balance, campaign_balances, ledger_verify
from apps.payments.signing import sign
from apps.users.tokens import tokens_for
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.factories import StaffFactory
from tests.paystack import PAYSTACK_SECRET, PAYSTACK_URL

PAYSTACK = PAYSTACK_URL
SECRET = PAYSTACK_SECRET
WEBHOOK = "/v1/paystack/webhook"
INITIALIZE = "/v1/donations/initialize"


class FakePaystack:
    """Paystack's transaction and refund API, as far as donations use it."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.transactions: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.fail: dict[str, Any] = {}  # "initialize" | "verify" | "refund" -> (status, body) | exc
        self.verify_overrides: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(4_100_000_001)
        self._lock = threading.Lock()
        mock.add_callback(
            responses.POST, f"{PAYSTACK}/transaction/initialize", callback=self._initialize
        )
        mock.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(PAYSTACK)}/transaction/verify/.+"),
            callback=self._verify,
        )
        mock.add_callback(responses.POST, f"{PAYSTACK}/refund", callback=self._refund)

    # --- what a test does ---

    def pay(self, reference: str) -> None:
        paid_at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        self.transactions[reference].update(status="success", paid_at=paid_at)

    def decline(self, reference: str) -> None:
        self.transactions[reference]["status"] = "failed"

    def calls(self, kind: str) -> list:
        paths = {
            "initialize": "/transaction/initialize",
            "verify": "/transaction/verify/",
            "refund": "/refund",
        }
        return [c for c in self.mock.calls if paths[kind] in c.request.url]

    # --- the API ---

    def _failure(self, kind: str):
        failure = self.fail.get(kind)
        if failure is None:
            return None
        if isinstance(failure, BaseException):
            raise failure
        status, body = failure
        return status, {}, json.dumps(body)

    def _initialize(self, request):
        failed = self._failure("initialize")
        if failed:
            return failed
        body = json.loads(request.body)
        reference = body["reference"]
        with self._lock:
            if reference in self.transactions:
                return (
                    400,
                    {},
                    json.dumps({"status": False, "message": "Duplicate Transaction Reference"}),
                )
            access_code = f"ac{next(self._ids)}"
            self.transactions[reference] = {
                "id": next(self._ids),
                "reference": reference,
                "amount": body["amount"],
                "currency": body["currency"],
                "email": body["email"],
                "metadata": body.get("metadata"),
                "callback_url": body.get("callback_url"),
                "channels": body.get("channels"),
                "status": "abandoned",
                "paid_at": None,
                "access_code": access_code,
            }
        return (
            200,
            {},
            json.dumps(
                {
                    "status": True,
                    "message": "Authorization URL created",
                    "data": {
                        "authorization_url": f"https://checkout.paystack.com/{access_code}",
                        "access_code": access_code,
                        "reference": reference,
                    },
                }
            ),
        )

    def transaction_data(self, reference: str) -> dict:
        tx = self.transactions[reference]
        data = {
            "id": tx["id"],
            "domain": "test",
            "status": tx["status"],
            "reference": reference,
            "amount": tx["amount"],
            "gateway_response": "Successful" if tx["status"] == "success" else "Declined",
            "paid_at": tx["paid_at"],
            "channel": "card",
            "currency": tx["currency"],
            "fees": 1500,
            "metadata": tx["metadata"],
            "customer": {"email": tx["email"]},
        }
        data.update(self.verify_overrides.get(reference, {}))
        return data

    def _verify(self, request):
        failed = self._failure("verify")
        if failed:
            return failed
        reference = request.url.rsplit("/", 1)[-1]
        if reference not in self.transactions:
            return (
                400,
                {},
                json.dumps({"status": False, "message": "Transaction reference not found"}),
            )
        return (
            200,
            {},
            json.dumps(
                {
                    "status": True,
                    "message": "Verification successful",
                    "data": self.transaction_data(reference),
                }
            ),
        )

    def _refund(self, request):
        failed = self._failure("refund")
        if failed:
            return failed
        body = json.loads(request.body)
        tx = self.transactions[body["transaction"]]
        refund = {
            "id": next(self._ids),
            "transaction": body["transaction"],
            "amount": body.get("amount", tx["amount"]),
            "currency": body.get("currency", tx["currency"]),
            "status": "pending",
        }
        self.refunds.append(refund)
        return (
            200,
            {},
            json.dumps(
                {
                    "status": True,
                    "message": "Refund has been queued for processing",
                    "data": {
                        "transaction": {"id": tx["id"], "reference": body["transaction"]},
                        "id": refund["id"],
                        "amount": refund["amount"],
                        "currency": refund["currency"],
                        "status": "pending",
                    },
                }
            ),
        )

    # --- webhook bodies ---

    def charge_success(self, reference: str, **data: Any) -> dict:
        return {"event": "charge.success", "data": {**self.transaction_data(reference), **data}}

    def refund_processed(self, refund: dict, **data: Any) -> dict:
        return {
            "event": "refund.processed",
            "data": {
                "status": "processed",
                "transaction_reference": refund["transaction"],
                "refund_reference": None,
                "amount": refund["amount"],
                "currency": refund["currency"],
                "processor": "mastercard",
                "customer": {"email": "donor@example.com"},
                "integration": 463433,
                "domain": "test",
                "id": refund["id"],
                **data,
            },
        }


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def paystack(paystack_settings, http) -> FakePaystack:
    return FakePaystack(http)


@pytest.fixture
def campaign(db):
    return CampaignFactory(currency_id="NGN", status="active")


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def signature(body: bytes, secret: str = SECRET) -> str:
    return sign(body, secret)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, paystack_settings):
    """POST a webhook as Paystack would (signed unless told), running the on-commit work
    (the eager event task) as a commit would."""

    def send(payload: dict | bytes, *, signed: bool = True, secret: str = SECRET, headers=None):
        body = payload if isinstance(payload, bytes) else body_of(payload)
        extra = dict(headers or {})
        if signed:
            extra.setdefault("HTTP_X_PAYSTACK_SIGNATURE", sign(body, secret))
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(WEBHOOK, data=body, content_type="application/json", **extra)

    return send


@pytest.fixture
def start(api, paystack, django_capture_on_commit_callbacks):
    """POST /v1/donations/initialize with sensible defaults; the response."""

    def initialize(client: APIClient | None = None, headers: dict | None = None, **fields):
        body = {"campaign": fields.pop("campaign_slug", None), "amount": 500000, "currency": "NGN"}
        body.update({"email": "ada@example.com", "name": "Ada Obi"})
        body.update(fields)
        if body["campaign"] is None:
            raise ValueError("give campaign=")
        with django_capture_on_commit_callbacks(execute=True):
            return (client or api).post(INITIALIZE, body, format="json", **(headers or {}))

    return initialize


@pytest.fixture
def donate(start, paystack, deliver):
    """Initialize through the API, pay at the fake Paystack, deliver charge.success."""

    def run(campaign, **fields) -> dict:
        started = start(campaign=campaign.slug, **fields)
        assert started.status_code == 201, started.content
        reference = started.json()["reference"]
        paystack.pay(reference)
        response = deliver(paystack.charge_success(reference))
        assert response.status_code == 200, response.content
        return started.json()

    return run


@pytest.fixture
def staff_api(db):
    """A staff client (second factor) allowed to view and refund donations; `.user` is it."""
    member = StaffFactory(email="refunds@krogiving.test")
    for codename in ("view_donation", "refund_donation"):
        member.user_permissions.add(
            Permission.objects.get(content_type__app_label="donations", codename=codename)
        )
    member = type(member).objects.get(pk=member.pk)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens_for(member, second_factor=True)['access']}"
    )
    client.user = member
    return client


def balances(campaign) -> dict[str, int]:
    currency = campaign.currency_id
    return {
        "available": campaign_balances(campaign)["available"],
        "held": campaign_balances(campaign)["held"],
        "fees": account_balance(kind=AccountKind.PLATFORM_FEES, currency=currency),
        "tips": account_balance(kind=AccountKind.PLATFORM_TIPS, currency=currency),
        "clearing": account_balance(kind=AccountKind.PAYSTACK_CLEARING, currency=currency),
    }


def assert_ledger_consistent() -> None:
    """The deferred balance trigger fired for everything so far, and ledger_verify is clean."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert ledger_verify().problems == []
