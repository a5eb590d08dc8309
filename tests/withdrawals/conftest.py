"""Withdrawal and payout tests: Paystack's bank and transfer API faked at the HTTP layer
(tests/paystack_transfers.py), money put into campaigns through the ledger's own posting."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import responses
from django.contrib.auth.models import Permission
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from apps.ledger.selectors import campaign_balances, ledger_verify
from apps.ledger.services import ledger_post_donation_succeeded
from apps.users.tokens import tokens_for
from tests.factories import ActiveCampaignFactory, StaffFactory, UserFactory
from tests.paystack_transfers import FakeTransfers

ACCOUNT = "0123456789"


@pytest.fixture
def transfers(paystack_settings) -> FakeTransfers:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeTransfers(mock)


def client_for(user, *, second_factor: bool = False) -> APIClient:
    client = APIClient()
    token = tokens_for(user, second_factor=second_factor)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.user = user
    return client


@pytest.fixture
def organizer(db):
    return UserFactory(email="organiser@example.com", phone="+2348031234567", phone_verified=True)


@pytest.fixture
def owner_api(organizer) -> APIClient:
    return client_for(organizer)


def fund(campaign, amount: int) -> None:
    """A donation's net amount lands in the campaign's available balance."""
    ledger_post_donation_succeeded(
        reference=f"donation:{uuid.uuid4()}:succeeded",
        campaign=campaign,
        charged_amount=amount,
        charged_currency=campaign.currency_id,
        gift=amount,
        fee=0,
        tip=0,
        net_to_campaign=amount,
    )


@pytest.fixture
def campaign(organizer):
    campaign = ActiveCampaignFactory(organizer=organizer, currency_id="NGN")
    fund(campaign, 10_000_000)  # NGN 100,000
    return campaign


@pytest.fixture
def bank_account(owner_api, transfers) -> dict[str, Any]:
    response = owner_api.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": ACCOUNT}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def request_withdrawal(owner_api, campaign, bank_account, django_capture_on_commit_callbacks):
    def ask(amount: int = 2_000_000, client: APIClient | None = None, **extra: Any):
        body = {"campaign": str(campaign.pk), "amount": amount, "bank_account": bank_account["id"]}
        body.update(extra)
        with django_capture_on_commit_callbacks(execute=True):
            return (client or owner_api).post("/v1/withdrawal", body, format="json")

    return ask


def balances(campaign) -> dict[str, int]:
    found = campaign_balances(campaign)
    return {"available": found["available"], "held": found["held"]}


def assert_books_clean() -> None:
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert ledger_verify().problems == []


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def make_approver(email: str = "finance@krogiving.test", *, device: bool = True):
    member = StaffFactory(email=email)
    for app, codename in (
        ("withdrawals", "approve_withdrawal"),
        ("withdrawals", "view_withdrawal"),
    ):
        member.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    member = type(member).objects.get(pk=member.pk)
    if device:
        TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    return member


@pytest.fixture
def approver(db):
    return make_approver()


@pytest.fixture
def staff_api(approver) -> APIClient:
    return client_for(approver, second_factor=True)


@pytest.fixture
def code(approver):
    """The approver's authenticator code of this moment."""

    def current(offset_steps: int = 0) -> str:
        return totp_code(approver.totpdevice_set.get(), offset_steps)

    return current
