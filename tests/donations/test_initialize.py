"""POST /v1/donations/initialize: validation, the Paystack call, failures."""

import json

import pytest
import requests

from apps.campaigns.models import CampaignSlug
from apps.currency.models import Currency
from apps.donations.models import Donation
from apps.payments.models import PaystackCall
from tests.factories import ActiveCampaignFactory as CampaignFactory

from .conftest import PAYSTACK

pytestmark = pytest.mark.django_db


def test_a_donation_starts_pending_and_paystack_is_asked_to_charge_it(start, paystack, campaign):
    response = start(campaign=campaign.slug, amount=500000, email="Ada@Example.com ")

    assert response.status_code == 201, response.content
    body = response.json()
    donation = Donation.objects.get()
    assert body["reference"] == donation.reference
    assert body["reference"].startswith("don-")
    assert body["authorization_url"] == (
        f"https://checkout.paystack.com/{paystack.transactions[donation.reference]['access_code']}"
    )
    assert body["access_code"] == paystack.transactions[donation.reference]["access_code"]
    # 5% + NGN 50 comes out of the gift; no tip, so the donor is charged the gift
    assert (body["amount"], body["currency"], body["status"]) == (500000, "NGN", "pending")
    assert body["breakdown"] == {
        "gift": 500000,
        "fee": 30000,
        "tip": 0,
        "cover_fee": False,
        "charged": 500000,
        "currency": "NGN",
        "campaign_currency": "NGN",
        "campaign_gift": 500000,
        "net_to_campaign": 470000,
        "fx_rate": None,
    }
    assert donation.status == "pending"
    assert donation.email == "ada@example.com"
    assert donation.donor is None

    (call,) = paystack.calls("initialize")
    sent = json.loads(call.request.body)
    assert sent["amount"] == 500000 and sent["currency"] == "NGN"
    assert sent["reference"] == donation.reference
    assert sent["email"] == "ada@example.com"
    assert sent["callback_url"] == f"https://krogiving.test/donations/{donation.reference}"
    assert sent["channels"] == ["card", "bank", "ussd", "bank_transfer"]
    assert sent["metadata"]["donation_id"] == str(donation.pk)
    assert sent["metadata"]["campaign_id"] == str(campaign.pk)


def test_covering_the_fee_and_tipping_raise_the_charge(start, paystack, campaign):
    response = start(campaign=campaign.slug, amount=500000, tip_amount=50000, cover_fee=True)

    assert response.status_code == 201, response.content
    breakdown = response.json()["breakdown"]
    # the smallest charge whose fee (5% + NGN 50) leaves exactly the gift
    assert breakdown["fee"] == 31579
    assert breakdown["net_to_campaign"] == 500000
    assert response.json()["amount"] == 500000 + 31579 + 50000
    (call,) = paystack.calls("initialize")
    assert json.loads(call.request.body)["amount"] == 581579


def test_a_signed_in_donor_is_linked(start, auth_api, user, campaign):
    response = start(client=auth_api, campaign=campaign.slug)

    assert response.status_code == 201
    assert Donation.objects.get().donor == user


def test_a_bad_token_is_refused_rather_than_ignored(start, campaign):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = start(client=client, campaign=campaign.slug)

    assert response.status_code == 401
    assert not Donation.objects.exists()


def test_the_campaign_can_be_named_by_id_or_by_a_former_slug(start, campaign):
    CampaignSlug.objects.create(slug="old-name-of-it", campaign=campaign)

    assert start(campaign=str(campaign.pk)).status_code == 201
    assert start(campaign="old-name-of-it").status_code == 201
    assert Donation.objects.filter(campaign=campaign).count() == 2


def test_a_slug_whose_remembered_campaign_is_gone_reaches_its_new_owner(start, paystack):
    draft = CampaignFactory(currency_id="NGN", status="draft")
    # the lookup remembers the slug's owner (the public pages' cache); a draft refuses
    refused = start(campaign=draft.slug)
    assert refused.json()["error"]["code"] == "campaign_not_found"
    slug = draft.slug
    draft.delete()
    successor = CampaignFactory(currency_id="NGN", status="active", slug=slug)

    response = start(campaign=slug)

    assert response.status_code == 201, response.content
    assert Donation.objects.get(reference=response.json()["reference"]).campaign == successor


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"campaign_slug": "no-such-campaign"}, "campaign", "campaign_not_found"),
        ({"currency": "XYZ"}, "currency", "unknown_currency"),
        ({"amount": 9999}, "amount", "amount_too_small"),
        ({"amount": 10_000_000_001}, "amount", "amount_too_large"),
        ({"amount": "5000"}, "amount", "validation_error"),
        ({"amount": 5000.5}, "amount", "validation_error"),
        ({"amount": True}, "amount", "validation_error"),
        ({"tip_amount": -1}, "tip_amount", "validation_error"),
        ({"message": "x" * 501}, "message", "validation_error"),
        ({"email": "not-an-email"}, "email", "validation_error"),
        ({"colour": "blue"}, "colour", "validation_error"),
        ({"amount": None}, "amount", "validation_error"),
    ],
)
def test_bad_input_is_refused_naming_the_field(start, paystack, campaign, fields, field, code):
    fields.setdefault("campaign_slug", campaign.slug)
    slug = fields.pop("campaign_slug")

    response = start(campaign=slug, **fields)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]
    assert not Donation.objects.exists()
    assert paystack.calls("initialize") == []


@pytest.mark.parametrize("status", ["draft", "pending_review", "rejected"])
def test_a_campaign_not_yet_public_is_not_found(start, paystack, status):
    hidden = CampaignFactory(status=status)

    response = start(campaign=hidden.slug)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "campaign_not_found"


@pytest.mark.parametrize("status", ["ended", "closed", "suspended"])
def test_only_an_active_campaign_takes_donations(start, paystack, status):
    stopped = CampaignFactory(status=status)

    response = start(campaign=stopped.slug)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "campaign_not_accepting_donations"
    assert response.json()["error"]["fields"]["campaign"]
    assert paystack.calls("initialize") == []


def test_a_disabled_currency_is_refused(start, paystack, campaign):
    Currency.objects.filter(code="GHS").update(enabled=False)

    response = start(campaign=campaign.slug, currency="GHS", amount=100000)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "currency_disabled"


def test_the_maximum_is_configurable_per_currency(start, paystack_settings, campaign):
    paystack_settings.DONATION_MAX_AMOUNTS = {"NGN": 1_000_000}

    assert start(campaign=campaign.slug, amount=1_000_000).status_code == 201
    refused = start(campaign=campaign.slug, amount=1_000_001)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "amount_too_large"


def test_a_message_of_500_characters_is_kept(start, campaign):
    response = start(campaign=campaign.slug, message="m" * 500)

    assert response.status_code == 201
    assert Donation.objects.get().message == "m" * 500


def test_no_rate_for_a_foreign_currency_is_a_503(start, paystack, campaign):
    response = start(campaign=campaign.slug, currency="USD", amount=10000)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "exchange_rate_missing"
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    "failure",
    [
        (500, {"status": False, "message": "Internal error"}),
        (400, {"status": False, "message": "Invalid Email Address Passed"}),
        (401, {"status": False, "message": "Invalid key"}),
        requests.ConnectionError("connection refused"),
        requests.ReadTimeout("read timed out"),
    ],
)
def test_when_paystack_fails_the_donation_fails_and_the_client_gets_502(
    start, paystack, campaign, failure
):
    paystack.fail["initialize"] = failure

    response = start(campaign=campaign.slug)

    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "paystack_unavailable"
    assert "nothing was charged" in error["message"]
    donation = Donation.objects.get()
    assert error["reference"] == donation.reference
    assert donation.status == "failed"
    assert donation.failure_reason.startswith("Paystack initialize failed")
    assert PaystackCall.objects.filter(operation="initialize_transaction", ok=False).exists()


def test_initialize_is_retried_on_a_transient_error_and_then_succeeds(
    start, paystack, http, campaign
):
    # the fake answers 502 once, then normally: the reference makes the repeat safe
    original = paystack._initialize
    attempts = []

    def flaky(request):
        attempts.append(1)
        if len(attempts) == 1:
            return 502, {}, json.dumps({"status": False, "message": "Bad gateway"})
        return original(request)

    http.remove("POST", f"{PAYSTACK}/transaction/initialize")
    http.add_callback("POST", f"{PAYSTACK}/transaction/initialize", callback=flaky)

    response = start(campaign=campaign.slug)

    assert response.status_code == 201
    assert len(attempts) == 2
    assert Donation.objects.get().status == "pending"
