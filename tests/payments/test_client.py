"""The Paystack client against Paystack's documented shapes, faked at the HTTP layer."""

import json
import logging
import time
from datetime import UTC, datetime

import pytest
import requests
import responses
from responses import matchers

from apps.payments.models import PaystackCall
from apps.payments.paystack import (
    PaystackAuthError,
    PaystackBadResponse,
    PaystackDuplicateReference,
    PaystackError,
    PaystackNotFound,
    PaystackRejected,
    PaystackUnavailable,
)

from .conftest import PAYSTACK, SECRET, envelope

INIT_URL = f"{PAYSTACK}/transaction/initialize"
REF = "don-7f3a9c2e41b8"


def init_ok(reference=REF, access_code="0peioxfhpn"):
    return envelope(
        {
            "authorization_url": f"https://checkout.paystack.com/{access_code}",
            "access_code": access_code,
            "reference": reference,
        },
        "Authorization URL created",
    )


def verify_data(reference=REF, status="success", amount=500000, currency="NGN"):
    return {
        "id": 4099260516,
        "domain": "test",
        "status": status,
        "reference": reference,
        "amount": amount,
        "message": None,
        "gateway_response": "Successful",
        "paid_at": "2026-05-24T10:23:11.000Z",
        "created_at": "2026-05-24T10:22:45.000Z",
        "channel": "card",
        "currency": currency,
        "ip_address": "197.210.45.12",
        "metadata": {"donation_id": "d-1"},
        "log": {"history": [{"type": "action", "message": "Attempted to pay with card"}]},
        "fees": 7500,
        "customer": {"id": 92312441, "customer_code": "CUS_x", "email": "donor@example.com"},
        "authorization": {
            "authorization_code": "AUTH_pmx3mgawyd",
            "bin": "408408",
            "last4": "4081",
            "exp_month": "12",
            "exp_year": "2030",
            "channel": "card",
            "card_type": "visa",
            "bank": "TEST BANK",
            "signature": "SIG_yEXu7dLBeqG0kU7g95Ke",
        },
    }


def transfer_data(reference="wd_5c2f8a1e9b7d40", status="success", amount=250000, **extra):
    return {
        "integration": 100073,
        "domain": "test",
        "amount": amount,
        "currency": "NGN",
        "source": "balance",
        "reason": "Withdrawal",
        "recipient": 28,
        "status": status,
        "transfer_code": "TRF_1ptvuv321ahaa7q",
        "reference": reference,
        "id": 14,
        "transferred_at": None,
        "createdAt": "2017-02-03T17:21:54.508Z",
        **extra,
    }


def row_text(row: PaystackCall) -> str:
    return json.dumps(
        {f.name: str(getattr(row, f.name)) for f in PaystackCall._meta.fields}
        | {"summary": row.response_summary}
    )


# --- initialize -------------------------------------------------------------------------


def test_initialize_sends_the_documented_request_and_returns_the_checkout_link(paystack, http):
    http.add(responses.POST, INIT_URL, json=init_ok())

    result = paystack.initialize_transaction(
        email="donor@example.com",
        amount=500000,
        currency="NGN",
        reference=REF,
        callback_url="https://krogiving.test/donations/return",
        metadata={"donation_id": "d-1", "campaign": "clean-water"},
    )

    assert result.authorization_url == "https://checkout.paystack.com/0peioxfhpn"
    assert result.access_code == "0peioxfhpn"
    assert result.reference == REF
    (call,) = http.calls
    assert call.request.method == "POST"
    assert call.request.url == INIT_URL
    assert call.request.headers["Authorization"] == f"Bearer {SECRET}"
    assert call.request.req_kwargs["timeout"] == (3.05, 15.0)
    assert json.loads(call.request.body) == {
        "email": "donor@example.com",
        "amount": 500000,
        "currency": "NGN",
        "reference": REF,
        "callback_url": "https://krogiving.test/donations/return",
        "metadata": {"donation_id": "d-1", "campaign": "clean-water"},
        "channels": ["card", "bank", "ussd", "bank_transfer"],
    }
    row = PaystackCall.objects.get()
    assert (row.operation, row.method, row.path, row.reference) == (
        "initialize_transaction",
        "POST",
        "/transaction/initialize",
        REF,
    )
    assert row.ok and row.status_code == 200 and row.attempts == 1
    assert row.response_summary["data"]["access_code"] == "0peioxfhpn"
    assert SECRET not in row_text(row)


def test_initialize_offers_the_channels_asked_for(paystack, http):
    http.add(responses.POST, INIT_URL, json=init_ok())

    paystack.initialize_transaction(
        email="donor@example.com", amount=100, currency="USD", reference=REF, channels=["card"]
    )

    body = json.loads(http.calls[0].request.body)
    assert body["channels"] == ["card"]
    assert "callback_url" not in body and "metadata" not in body


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 502, "json": {"status": False, "message": "Bad gateway"}},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": requests.exceptions.ConnectionError("connection reset")},
    ],
    ids=["5xx", "timeout", "connection-error"],
)
def test_initialize_is_retried_because_our_reference_makes_it_safe(paystack, http, failure):
    http.add(responses.POST, INIT_URL, **failure)
    http.add(responses.POST, INIT_URL, json=init_ok())

    result = paystack.initialize_transaction(
        email="donor@example.com", amount=500000, currency="NGN", reference=REF
    )

    assert result.access_code == "0peioxfhpn"
    assert len(http.calls) == 2
    row = PaystackCall.objects.get()
    assert row.ok and row.attempts == 2


def test_initialize_that_reached_paystack_before_the_retry_is_found_by_its_reference(
    paystack, http
):
    http.add(responses.POST, INIT_URL, status=504, body="gateway timeout")
    http.add(
        responses.POST,
        INIT_URL,
        status=400,
        json={"status": False, "message": "Duplicate Transaction Reference"},
    )
    http.add(
        responses.GET,
        f"{PAYSTACK}/transaction/verify/{REF}",
        json=envelope(verify_data(status="abandoned"), "Verification successful"),
    )

    with pytest.raises(PaystackDuplicateReference) as caught:
        paystack.initialize_transaction(
            email="donor@example.com", amount=500000, currency="NGN", reference=REF
        )

    assert caught.value.transaction.reference == REF
    assert caught.value.transaction.status == "abandoned"
    assert isinstance(caught.value, PaystackRejected)
    assert [c.request.method for c in http.calls] == ["POST", "POST", "GET"]


def test_initialize_gives_up_after_three_attempts(paystack, http):
    http.add(responses.POST, INIT_URL, status=503, json={"status": False, "message": "Down"})

    with pytest.raises(PaystackUnavailable) as caught:
        paystack.initialize_transaction(
            email="donor@example.com", amount=500000, currency="NGN", reference=REF
        )

    assert caught.value.status_code == 503
    assert len(http.calls) == 3
    row = PaystackCall.objects.get()
    assert not row.ok and row.attempts == 3 and row.status_code == 503
    assert "503" in row.error


def test_rejection_carries_paystacks_message_and_is_not_retried(paystack, http):
    http.add(
        responses.POST,
        INIT_URL,
        status=400,
        json={"status": False, "message": "Invalid Email Address Passed", "code": "invalid_params"},
    )

    with pytest.raises(PaystackRejected) as caught:
        paystack.initialize_transaction(
            email="donor@example", amount=500000, currency="NGN", reference=REF
        )

    assert caught.value.message == "Invalid Email Address Passed"
    assert caught.value.status_code == 400
    assert caught.value.code == "invalid_params"
    assert len(http.calls) == 1
    assert PaystackCall.objects.get().error == "Invalid Email Address Passed"


def test_status_false_in_a_200_answer_is_a_rejection(paystack, http):
    http.add(responses.POST, INIT_URL, json={"status": False, "message": "Currency not supported"})

    with pytest.raises(PaystackRejected, match="Currency not supported"):
        paystack.initialize_transaction(
            email="donor@example.com", amount=500, currency="NGN", reference=REF
        )


def test_401_is_an_auth_error_that_never_shows_the_key(paystack, http):
    http.add(
        responses.POST,
        INIT_URL,
        status=401,
        json={"status": False, "message": f"Invalid key {SECRET}"},
    )

    with pytest.raises(PaystackAuthError) as caught:
        paystack.initialize_transaction(
            email="donor@example.com", amount=500, currency="NGN", reference=REF
        )

    assert SECRET not in str(caught.value)
    assert not isinstance(caught.value, PaystackRejected)
    assert len(http.calls) == 1
    assert SECRET not in row_text(PaystackCall.objects.get())


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ({"status": 200, "body": "<html>maintenance</html>"}, "not a JSON object"),
        ({"status": 200, "json": {"status": True, "message": "ok"}}, "no data"),
        ({"status": 200, "json": envelope({"access_code": "abc"})}, "no authorization_url"),
    ],
    ids=["not-json", "no-data", "missing-field"],
)
def test_answers_without_what_we_need_are_bad_responses(paystack, http, reply, expected):
    http.add(responses.POST, INIT_URL, **reply)

    with pytest.raises(PaystackBadResponse, match=expected):
        paystack.initialize_transaction(
            email="donor@example.com", amount=500, currency="NGN", reference=REF
        )


def test_programming_errors_are_refused_before_any_request(paystack, http):
    with pytest.raises(ValueError, match="amount"):
        paystack.initialize_transaction(
            email="donor@example.com", amount=50.0, currency="NGN", reference=REF
        )
    with pytest.raises(ValueError, match="reference"):
        paystack.initialize_transaction(
            email="donor@example.com", amount=50, currency="NGN", reference="bad ref/1"
        )
    assert len(http.calls) == 0


def test_every_error_is_a_paystack_error_with_an_api_answer(paystack, http):
    http.add(responses.POST, INIT_URL, status=500, body="oops")

    with pytest.raises(PaystackError) as caught:
        paystack.initialize_transaction(
            email="donor@example.com", amount=500, currency="NGN", reference=REF
        )

    api_error = caught.value.as_api_error()
    assert api_error.status_code == 502 and api_error.code == "paystack_unavailable"


# --- verify ---------------------------------------------------------------------------


def test_verify_returns_the_typed_result(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/transaction/verify/{REF}",
        json=envelope(verify_data(), "Verification successful"),
    )

    result = paystack.verify_transaction(REF)

    assert result.succeeded
    assert (result.status, result.amount, result.currency, result.reference) == (
        "success",
        500000,
        "NGN",
        REF,
    )
    assert result.paid_at == datetime(2026, 5, 24, 10, 23, 11, tzinfo=UTC)
    assert (result.channel, result.gateway_response, result.fees) == ("card", "Successful", 7500)
    assert result.customer_email == "donor@example.com"
    assert result.id == 4099260516
    assert result.metadata == {"donation_id": "d-1"}
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {SECRET}"


def test_verify_keeps_no_card_details_in_the_call_row(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/transaction/verify/{REF}",
        json=envelope(verify_data(), "Verification successful"),
    )

    paystack.verify_transaction(REF)

    text = row_text(PaystackCall.objects.get())
    for secret in ("AUTH_pmx3mgawyd", "408408", "SIG_yEXu7dLBeqG0kU7g95Ke", SECRET):
        assert secret not in text
    summary = PaystackCall.objects.get().response_summary
    assert summary["data"]["authorization"] == {
        "channel": "card",
        "card_type": "visa",
        "bank": "TEST BANK",
        "last4": "4081",
    }


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"status": False, "message": "Server error"}},
        {"body": requests.exceptions.ReadTimeout("slow")},
    ],
    ids=["5xx", "timeout"],
)
def test_verify_is_retried(paystack, http, failure):
    url = f"{PAYSTACK}/transaction/verify/{REF}"
    http.add(responses.GET, url, **failure)
    http.add(responses.GET, url, **failure)
    http.add(responses.GET, url, json=envelope(verify_data()))

    assert paystack.verify_transaction(REF).succeeded
    assert len(http.calls) == 3


def test_timeouts_after_the_retries_are_unavailable(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/transaction/verify/{REF}",
        body=requests.exceptions.ReadTimeout("slow"),
    )

    with pytest.raises(PaystackUnavailable, match="timed out"):
        paystack.verify_transaction(REF)

    assert len(http.calls) == 3
    row = PaystackCall.objects.get()
    assert row.status_code is None and not row.ok and row.attempts == 3


def test_a_429_waits_as_told_but_no_longer_than_the_bound(paystack, http, settings):
    settings.PAYSTACK_RETRY_AFTER_MAX_SECONDS = 0.05
    url = f"{PAYSTACK}/transaction/verify/{REF}"
    http.add(responses.GET, url, status=429, headers={"Retry-After": "120"}, json={})
    http.add(responses.GET, url, json=envelope(verify_data()))

    started = time.monotonic()
    from apps.payments.paystack import get_paystack_client

    assert get_paystack_client().verify_transaction(REF).succeeded
    assert time.monotonic() - started < 2
    assert len(http.calls) == 2


def test_a_retry_after_date_is_understood(paystack, http, settings):
    settings.PAYSTACK_RETRY_AFTER_MAX_SECONDS = 0.05
    url = f"{PAYSTACK}/transaction/verify/{REF}"
    http.add(
        responses.GET,
        url,
        status=503,
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
        json={"status": False, "message": "Maintenance"},
    )
    http.add(responses.GET, url, json=envelope(verify_data()))

    from apps.payments.paystack import get_paystack_client

    assert get_paystack_client().verify_transaction(REF).succeeded
    assert len(http.calls) == 2


def test_unknown_reference_is_not_found(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/transaction/verify/nope-1",
        status=400,
        json={"status": False, "message": "Transaction reference not found"},
    )

    with pytest.raises(PaystackNotFound):
        paystack.verify_transaction("nope-1")
    assert len(http.calls) == 1


# --- refund ---------------------------------------------------------------------------


REFUND_OK = envelope(
    {
        "transaction": {"id": 1004723697, "reference": REF, "amount": 500000, "currency": "NGN"},
        "integration": 412829,
        "deducted_amount": 0,
        "merchant_note": "Refund requested by staff",
        "status": "pending",
        "currency": "NGN",
        "amount": 200000,
        "id": 3018284,
    },
    "Refund has been queued for processing",
)


def test_refund_request_and_result(paystack, http):
    http.add(responses.POST, f"{PAYSTACK}/refund", json=REFUND_OK)

    refund = paystack.create_refund(
        transaction=REF, amount=200000, currency="NGN", merchant_note="Refund requested by staff"
    )

    assert json.loads(http.calls[0].request.body) == {
        "transaction": REF,
        "amount": 200000,
        "currency": "NGN",
        "merchant_note": "Refund requested by staff",
    }
    assert (refund.id, refund.status, refund.amount, refund.currency) == (
        3018284,
        "pending",
        200000,
        "NGN",
    )
    assert (refund.transaction_reference, refund.transaction_id) == (REF, 1004723697)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"status": False, "message": "Server error"}},
        {"status": 429, "json": {"status": False, "message": "Too many requests"}},
        {"body": requests.exceptions.ReadTimeout("slow")},
        {"body": requests.exceptions.ConnectionError("reset by peer")},
    ],
    ids=["5xx", "429", "read-timeout", "connection-error"],
)
def test_refund_is_never_repeated_once_it_may_have_reached_paystack(paystack, http, failure):
    http.add(responses.POST, f"{PAYSTACK}/refund", **failure)
    http.add(responses.POST, f"{PAYSTACK}/refund", json=REFUND_OK)

    with pytest.raises(PaystackUnavailable):
        paystack.create_refund(transaction=REF)

    assert len(http.calls) == 1
    assert PaystackCall.objects.get().attempts == 1


def test_refund_is_retried_after_a_connect_timeout_when_nothing_was_sent(paystack, http):
    http.add(responses.POST, f"{PAYSTACK}/refund", body=requests.exceptions.ConnectTimeout("syn"))
    http.add(responses.POST, f"{PAYSTACK}/refund", json=REFUND_OK)

    assert paystack.create_refund(transaction=REF).status == "pending"
    assert len(http.calls) == 2


# --- banks ----------------------------------------------------------------------------


def bank(code, name):
    return {
        "name": name,
        "slug": name.lower(),
        "code": code,
        "longcode": "",
        "active": True,
        "country": "Nigeria",
        "currency": "NGN",
        "type": "nuban",
        "id": int(code),
    }


def test_list_banks_follows_the_cursor(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/bank",
        match=[
            matchers.query_param_matcher(
                {"perPage": "100", "use_cursor": "true", "currency": "NGN", "country": "nigeria"}
            )
        ],
        json=envelope(
            [bank("044", "Access Bank")],
            "Banks retrieved",
            meta={"next": "YmFuazoxNjk=", "previous": None, "perPage": 100},
        ),
    )
    http.add(
        responses.GET,
        f"{PAYSTACK}/bank",
        match=[
            matchers.query_param_matcher(
                {
                    "perPage": "100",
                    "use_cursor": "true",
                    "currency": "NGN",
                    "country": "nigeria",
                    "next": "YmFuazoxNjk=",
                }
            )
        ],
        json=envelope(
            [bank("058", "Guaranty Trust Bank")],
            "Banks retrieved",
            meta={"next": None, "previous": "YmFuazoxNjk=", "perPage": 100},
        ),
    )

    banks = paystack.list_banks(currency="NGN", country="nigeria")

    assert [(b.code, b.name, b.currency, b.active) for b in banks] == [
        ("044", "Access Bank", "NGN", True),
        ("058", "Guaranty Trust Bank", "NGN", True),
    ]


def test_resolve_account_keeps_the_account_number_out_of_rows_and_logs(paystack, http, caplog):
    http.add(
        responses.GET,
        f"{PAYSTACK}/bank/resolve",
        match=[matchers.query_param_matcher({"account_number": "0022728151", "bank_code": "063"})],
        json=envelope(
            {"account_number": "0022728151", "account_name": "WES GIBBONS", "bank_id": 9},
            "Account number resolved",
        ),
    )

    with caplog.at_level(logging.INFO, logger="apps.payments"):
        account = paystack.resolve_account(account_number="0022728151", bank_code="063")

    assert account.account_name == "WES GIBBONS"
    assert account.bank_id == 9
    row = PaystackCall.objects.get()
    assert row.path == "/bank/resolve"
    assert "0022728151" not in row_text(row)
    assert "WES GIBBONS" not in row_text(row)
    assert row.response_summary["data"]["account_number"] == "****8151"
    assert "0022728151" not in caplog.text and SECRET not in caplog.text


def test_unresolvable_account_is_a_rejection(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/bank/resolve",
        status=422,
        json={"status": False, "message": "Could not resolve account name. Check parameters."},
    )

    with pytest.raises(PaystackRejected) as caught:
        paystack.resolve_account(account_number="0000000000", bank_code="058")
    assert caught.value.status_code == 422


# --- transfers ------------------------------------------------------------------------


def test_create_transfer_recipient(paystack, http):
    http.add(
        responses.POST,
        f"{PAYSTACK}/transferrecipient",
        status=201,
        json=envelope(
            {
                "active": True,
                "currency": "NGN",
                "name": "Tolu Robert",
                "recipient_code": "RCP_1i2k27vk4suemug",
                "type": "nuban",
                "details": {
                    "account_number": "0001234567",
                    "account_name": "TOLU ROBERT",
                    "bank_code": "058",
                    "bank_name": "Guaranty Trust Bank",
                },
            },
            "Transfer recipient created successfully",
        ),
    )

    recipient = paystack.create_transfer_recipient(
        name="Tolu Robert", account_number="0001234567", bank_code="058", currency="NGN"
    )

    assert json.loads(http.calls[0].request.body) == {
        "type": "nuban",
        "name": "Tolu Robert",
        "account_number": "0001234567",
        "bank_code": "058",
        "currency": "NGN",
    }
    assert recipient.recipient_code == "RCP_1i2k27vk4suemug"
    assert (recipient.account_name, recipient.bank_name) == ("TOLU ROBERT", "Guaranty Trust Bank")
    assert "0001234567" not in row_text(PaystackCall.objects.get())


def test_initiate_transfer_request_and_otp_status(paystack, http):
    http.add(
        responses.POST,
        f"{PAYSTACK}/transfer",
        json=envelope(transfer_data(status="otp"), "Transfer requires OTP to continue"),
    )

    transfer = paystack.initiate_transfer(
        amount=250000,
        recipient_code="RCP_1i2k27vk4suemug",
        reference="wd_5c2f8a1e9b7d40",
        reason="Withdrawal",
        currency="NGN",
    )

    assert json.loads(http.calls[0].request.body) == {
        "source": "balance",
        "amount": 250000,
        "recipient": "RCP_1i2k27vk4suemug",
        "reference": "wd_5c2f8a1e9b7d40",
        "reason": "Withdrawal",
        "currency": "NGN",
    }
    assert (transfer.status, transfer.transfer_code, transfer.reference, transfer.amount) == (
        "otp",
        "TRF_1ptvuv321ahaa7q",
        "wd_5c2f8a1e9b7d40",
        250000,
    )
    assert not transfer.recovered


def test_initiate_transfer_retried_after_a_timeout_returns_the_existing_transfer(paystack, http):
    http.add(responses.POST, f"{PAYSTACK}/transfer", body=requests.exceptions.ReadTimeout("slow"))
    http.add(
        responses.POST,
        f"{PAYSTACK}/transfer",
        status=400,
        json={"status": False, "message": "Duplicate Transfer Reference"},
    )
    http.add(
        responses.GET,
        f"{PAYSTACK}/transfer/verify/wd_5c2f8a1e9b7d40",
        json=envelope(transfer_data(status="pending"), "Transfer retrieved"),
    )

    transfer = paystack.initiate_transfer(
        amount=250000, recipient_code="RCP_1", reference="wd_5c2f8a1e9b7d40"
    )

    assert transfer.recovered
    assert (transfer.status, transfer.transfer_code) == ("pending", "TRF_1ptvuv321ahaa7q")
    assert [c.request.method for c in http.calls] == ["POST", "POST", "GET"]


def test_a_reused_transfer_reference_for_another_amount_is_refused(paystack, http):
    http.add(
        responses.POST,
        f"{PAYSTACK}/transfer",
        status=400,
        json={"status": False, "message": "Duplicate Transfer Reference"},
    )
    http.add(
        responses.GET,
        f"{PAYSTACK}/transfer/verify/wd_5c2f8a1e9b7d40",
        json=envelope(transfer_data(amount=999), "Transfer retrieved"),
    )

    with pytest.raises(PaystackRejected, match="already belongs"):
        paystack.initiate_transfer(
            amount=250000, recipient_code="RCP_1", reference="wd_5c2f8a1e9b7d40"
        )


def test_finalize_transfer_is_not_repeated(paystack, http):
    http.add(responses.POST, f"{PAYSTACK}/transfer/finalize_transfer", status=502, body="bad gw")

    with pytest.raises(PaystackUnavailable):
        paystack.finalize_transfer(transfer_code="TRF_1ptvuv321ahaa7q", otp="928783")

    assert len(http.calls) == 1
    assert json.loads(http.calls[0].request.body) == {
        "transfer_code": "TRF_1ptvuv321ahaa7q",
        "otp": "928783",
    }
    assert "928783" not in row_text(PaystackCall.objects.get())


def test_finalize_and_verify_transfer_results(paystack, http):
    http.add(
        responses.POST,
        f"{PAYSTACK}/transfer/finalize_transfer",
        json=envelope(transfer_data(status="success"), "Transfer has been queued"),
    )
    http.add(
        responses.GET,
        f"{PAYSTACK}/transfer/verify/wd_5c2f8a1e9b7d40",
        json=envelope(
            transfer_data(status="success", transferred_at="2026-05-24T10:40:00.000Z"),
            "Transfer retrieved",
        ),
    )

    assert paystack.finalize_transfer(transfer_code="TRF_1ptvuv321ahaa7q", otp="1").status == (
        "success"
    )
    verified = paystack.verify_transfer("wd_5c2f8a1e9b7d40")
    assert verified.status == "success"
    assert verified.transferred_at == datetime(2026, 5, 24, 10, 40, tzinfo=UTC)
    assert [r.operation for r in PaystackCall.objects.order_by("created_at")] == [
        "finalize_transfer",
        "verify_transfer",
    ]
