"""Paystack's transfer reference rule, payout references, and channels per currency."""

import json
import re

import pytest
import responses
from django.core.exceptions import ImproperlyConfigured

from apps.payments.channels import paystack_channels
from apps.payments.paystack import check_transfer_reference, new_transfer_reference
from krogiving.envtools import parse_paystack_channels

from .conftest import PAYSTACK, envelope

REF = "don-0123456789abcdef"


@pytest.mark.parametrize(
    "reference",
    [
        "wd_e2e_1",  # 8 characters
        "a" * 15,
        "a" * 51,
        "Wd_5c2f8a1e9b7d40x",  # uppercase
        "wd.5c2f8a1e9b7d40x",  # a dot
        "wd 5c2f8a1e9b7d40x",
        "",
        None,
    ],
)
def test_a_transfer_reference_paystack_would_refuse_is_refused_before_any_request(
    paystack, http, reference
):
    with pytest.raises(ValueError, match="16 to 50 characters of lowercase"):
        paystack.initiate_transfer(amount=250000, recipient_code="RCP_1", reference=reference)
    assert len(http.calls) == 0


@pytest.mark.parametrize("reference", ["a" * 16, "z" * 50, "payout_0123-abcd_ef9"])
def test_references_of_16_to_50_allowed_characters_pass(reference):
    check_transfer_reference(reference)


def test_new_transfer_references_meet_the_rule_and_differ():
    made = {new_transfer_reference("wd") for _ in range(200)}
    assert len(made) == 200
    for reference in made:
        check_transfer_reference(reference)
        assert re.fullmatch(r"wd_[0-9a-f]{24}", reference)
    check_transfer_reference(new_transfer_reference(""))
    check_transfer_reference(new_transfer_reference("w" * 24))
    for prefix in ("WD", "w" * 25, "wd.1", "wd/1"):
        with pytest.raises(ValueError, match="prefix"):
            new_transfer_reference(prefix)


def test_a_generated_reference_is_sent_to_paystack(paystack, http):
    reference = new_transfer_reference("payout")
    http.add(
        responses.POST,
        f"{PAYSTACK}/transfer",
        json=envelope(
            {
                "reference": reference,
                "status": "pending",
                "amount": 1000,
                "currency": "NGN",
                "transfer_code": "TRF_x",
                "id": 1,
            }
        ),
    )

    transfer = paystack.initiate_transfer(amount=1000, recipient_code="RCP_1", reference=reference)

    assert transfer.reference == reference
    assert json.loads(http.calls[0].request.body)["reference"] == reference


# --- channels per currency ------------------------------------------------------------


def test_the_channels_setting_reads_currency_lists_json_and_the_old_list():
    assert parse_paystack_channels("NGN=card|bank|ussd, GHS=card|mobile_money,xof=") == {
        "NGN": ["card", "bank", "ussd"],
        "GHS": ["card", "mobile_money"],
        "XOF": [],
    }
    assert parse_paystack_channels('{"KES": ["card", "mobile_money"]}') == {
        "KES": ["card", "mobile_money"]
    }
    assert parse_paystack_channels("card,bank") == ["card", "bank"]
    assert parse_paystack_channels("") == {}
    for bad in ("NGN=card,GHS", "NAIRA=card", "NGN=Card!", '{"NGN": "card"}', "{oops"):
        with pytest.raises(ImproperlyConfigured):
            parse_paystack_channels(bad)


def test_channels_are_chosen_by_currency(settings):
    settings.PAYSTACK_CHANNELS = {
        "NGN": ["card", "bank", "ussd", "qr", "bank_transfer"],
        "GHS": ["card", "mobile_money"],
        "KES": ["card", "mobile_money"],
        "ZAR": ["card", "eft"],
        "USD": ["card"],
    }
    assert paystack_channels("GHS") == ["card", "mobile_money"]
    assert paystack_channels("kes") == ["card", "mobile_money"]
    assert paystack_channels("ZAR") == ["card", "eft"]
    assert paystack_channels("XOF") == []  # no entry: Paystack's dashboard decides
    assert paystack_channels(None) == []
    settings.PAYSTACK_CHANNELS = ["card", "bank"]  # the older form: every currency
    assert paystack_channels("GHS") == ["card", "bank"]


def test_the_default_channels_follow_paystacks_markets():
    from krogiving import settings as project  # the values read at start, before overrides

    assert project.PAYSTACK_CHANNELS["GHS"] == ["card", "mobile_money"]
    assert project.PAYSTACK_CHANNELS["KES"] == ["card", "mobile_money"]
    assert project.PAYSTACK_CHANNELS["ZAR"] == ["card", "eft"]
    assert project.PAYSTACK_CHANNELS["USD"] == ["card"]
    assert "bank_transfer" in project.PAYSTACK_CHANNELS["NGN"]


def test_initialize_without_channels_sends_none(paystack, http):
    http.add(
        responses.POST,
        f"{PAYSTACK}/transaction/initialize",
        json=envelope({"authorization_url": "https://x", "access_code": "a", "reference": REF}),
    )

    paystack.initialize_transaction(
        email="donor@example.com", amount=100, currency="XOF", reference=REF, channels=[]
    )

    assert "channels" not in json.loads(http.calls[0].request.body)
