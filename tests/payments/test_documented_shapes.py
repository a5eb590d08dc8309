"""Our client parses every response Paystack documents, the webhook intake stores every
documented event, and the documented examples fit the schemas the sandbox is held to."""

import pytest
import responses

from apps.payments.models import PaystackEvent

from .conftest import PAYSTACK, body_of, signed_headers
from .paystack_docs import SCHEMAS, documented, documented_names, schema_errors

URL = "/v1/paystack/webhook"
TRANSFER_REF = "payout_0123456789abcdef"


def test_every_documented_example_has_a_schema_and_fits_it():
    names = documented_names()
    assert set(names) <= set(SCHEMAS), set(names) - set(SCHEMAS)
    for name in names:
        assert schema_errors(name, documented(name)) == [], name


def test_a_schema_notices_a_drift():
    verified = documented("transaction_verify")
    verified["data"]["channel"] = None
    assert schema_errors("transaction_verify", verified)
    event = documented("refund.processed")
    event["data"]["id"] = 1
    assert schema_errors("refund.processed", event)
    banks = documented("bank_list")
    del banks["data"][0]["supports_transfer"]
    assert schema_errors("bank_list", banks)


def test_initialize_answer(paystack, http):
    body = documented("transaction_initialize")
    body["data"]["reference"] = "don-0123456789"
    http.add(responses.POST, f"{PAYSTACK}/transaction/initialize", json=body)

    started = paystack.initialize_transaction(
        email="hello@email.com", amount=20000, currency="NGN", reference="don-0123456789"
    )

    assert started.authorization_url == "https://checkout.paystack.com/0peioxfhpn"
    assert started.access_code == "0peioxfhpn"


@pytest.mark.parametrize("metadata", ["", 0, None, {"donation_id": "d-1"}])
def test_verify_answer_with_every_documented_metadata(paystack, http, metadata):
    body = documented("transaction_verify")
    body["data"]["metadata"] = metadata
    http.add(responses.GET, f"{PAYSTACK}/transaction/verify/rd0bz6z2wu", json=body)

    verified = paystack.verify_transaction("rd0bz6z2wu")

    assert verified.succeeded
    assert (verified.id, verified.amount, verified.currency, verified.fees) == (
        2009945086,
        20000,
        "NGN",
        100,
    )
    assert (verified.channel, verified.customer_email) == ("card", "hello@email.com")
    assert verified.paid_at is not None
    assert verified.metadata == (metadata if isinstance(metadata, dict) else {})


def test_refund_create_answer(paystack, http):
    http.add(responses.POST, f"{PAYSTACK}/refund", json=documented("refund_create"))

    refund = paystack.create_refund(transaction="T685312322670591", amount=10000)

    assert (refund.id, refund.status, refund.amount, refund.currency) == (
        3018284,
        "pending",
        10000,
        "NGN",
    )
    assert (refund.transaction_reference, refund.transaction_id) == (
        "T685312322670591",
        1004723697,
    )


def test_bank_list_answer_follows_the_cursor(paystack, http):
    first = documented("bank_list")
    last = documented("bank_list")
    last["data"] = last["data"][1:]
    last["meta"] = {"next": None, "previous": "YmFuazoxNjk=", "perPage": 5}
    http.add(responses.GET, f"{PAYSTACK}/bank", json=first)
    http.add(responses.GET, f"{PAYSTACK}/bank", json=last)

    banks = paystack.list_banks(currency="NGN")

    assert [(b.code, b.name, b.type, b.active) for b in banks] == [
        ("801", "Abbey Mortgage Bank", "nuban", True),
        ("51204", "Above Only MFB", "nuban", True),
        ("51204", "Above Only MFB", "nuban", True),
    ]
    assert "next=YmFuazoxNjk%3D" in http.calls[1].request.url


def test_resolve_answer(paystack, http):
    http.add(responses.GET, f"{PAYSTACK}/bank/resolve", json=documented("bank_resolve"))

    account = paystack.resolve_account(account_number="0001234567", bank_code="058")

    assert (account.account_name, account.bank_id) == ("Doe Jane Loren", 9)


def test_transfer_recipient_answer(paystack, http):
    http.add(responses.POST, f"{PAYSTACK}/transferrecipient", json=documented("transfer_recipient"))

    recipient = paystack.create_transfer_recipient(
        name="Till Transfer",
        account_number="247247",
        bank_code="MPTILL",
        currency="KES",
        type="mobile_money_business",
    )

    assert (recipient.recipient_code, recipient.type, recipient.currency) == (
        "RCP_5vl8b2yma7xdnjp",
        "mobile_money_business",
        "KES",
    )
    assert (recipient.bank_code, recipient.bank_name) == ("MPTILL", "M-PESA Till")


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("transfer_initiate", "success", "TRF_v5tip3zx8nna9o78"),
        ("transfer_initiate_otp", "otp", "TRF_1ptvuv321ahaa7q"),
    ],
)
def test_transfer_initiate_answers(paystack, http, name, status, code):
    body = documented(name)
    body["data"]["reference"] = TRANSFER_REF
    http.add(responses.POST, f"{PAYSTACK}/transfer", json=body)

    transfer = paystack.initiate_transfer(
        amount=body["data"]["amount"], recipient_code="RCP_gd9vgag7n5lr5ix", reference=TRANSFER_REF
    )

    assert (transfer.status, transfer.transfer_code, transfer.reference) == (
        status,
        code,
        TRANSFER_REF,
    )
    assert transfer.amount == body["data"]["amount"] and transfer.currency == "NGN"


def test_transfer_verify_answer(paystack, http):
    http.add(
        responses.GET,
        f"{PAYSTACK}/transfer/verify/ge-bzrf8u8k2pygxrnqf",
        json=documented("transfer_verify"),
    )

    transfer = paystack.verify_transfer("ge-bzrf8u8k2pygxrnqf")

    assert (transfer.status, transfer.amount, transfer.id) == ("success", 20000, 451930323)


@pytest.fixture
def post(api, paystack_settings, db, django_capture_on_commit_callbacks):
    def send(payload):
        body = body_of(payload)
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(URL, data=body, content_type="application/json", **signed_headers(body))

    return send


@pytest.mark.parametrize(
    "name",
    [name for name in documented_names() if "." in name],  # the events
)
def test_every_documented_event_is_taken_in_with_its_reference(post, handlers, name):
    seen = []
    event_type = documented(name)["event"]
    handlers(event_type, lambda event: seen.append(event) or "applied")

    response = post(documented(name))

    assert response.status_code == 200
    stored = PaystackEvent.objects.get()
    data = documented(name)["data"]
    assert stored.event_type == event_type
    assert stored.reference == (data.get("reference") or data.get("transaction_reference"))
    assert stored.outcome == "applied" and len(seen) == 1
