"""The offline Paystack, end to end over real HTTP against a live server."""

import re

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from apps.currency.reference import seed_currencies
from apps.payments.models import PaystackCall, PaystackEvent
from apps.payments.paystack import (
    PaystackDuplicateReference,
    PaystackNotFound,
    PaystackRejected,
    get_paystack_client,
)
from apps.payments.signing import SANDBOX_SECRET_KEY
from apps.paystack_sandbox.models import SandboxTransaction
from tests.payments.conftest import PAYSTACK, SECRET

live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox(live_server, settings):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PAYSTACK_RETRY_BACKOFF_SECONDS = 0
    settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST = []
    seed_currencies()
    return get_paystack_client()


@pytest.fixture
def received(handlers):
    """Handlers for every event the sandbox sends; they record what they got."""
    events = []
    for event_type in (
        "charge.success",
        "charge.failed",
        "transfer.success",
        "transfer.failed",
        "transfer.reversed",
        "refund.pending",
        "refund.processed",
    ):
        handlers(event_type, lambda event: events.append((event.event_type, event.data)) or None)
    return events


class Browser:
    """A donor's browser: keeps cookies and submits the checkout form with its CSRF token."""

    def __init__(self):
        self.session = requests.Session()

    def open(self, url):
        page = self.session.get(url, timeout=10)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.token = match.group(1) if match else ""
        return page

    def press(self, url, action):
        return self.session.post(
            url,
            data={"csrfmiddlewaretoken": self.token, "action": action},
            allow_redirects=False,
            timeout=30,
        )


def start_payment(sandbox, live_server, reference, *, amount=123450, callback=True):
    return sandbox.initialize_transaction(
        email="ada@example.com",
        amount=amount,
        currency="NGN",
        reference=reference,
        callback_url=f"{live_server.url}/thanks" if callback else None,
        metadata={"donation_id": "d-1"},
    )


@live
def test_paying_on_the_checkout_page_sends_a_signed_charge_success(sandbox, live_server, received):
    started = start_payment(sandbox, live_server, "don-e2e-1")
    assert started.authorization_url == f"{live_server.url}/sandbox/checkout/{started.access_code}"
    assert sandbox.verify_transaction("don-e2e-1").status == "abandoned"

    browser = Browser()
    page = browser.open(started.authorization_url)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    for text in ("₦1,234.50", "ada@example.com", "don-e2e-1", "Pay successfully", "Fail payment"):
        assert text in page.text

    paid = browser.press(started.authorization_url, "pay")

    assert paid.status_code == 302
    assert paid.headers["Location"] == (
        f"{live_server.url}/thanks?trxref=don-e2e-1&reference=don-e2e-1"
    )
    assert [
        (kind, data["reference"], data["amount"], data["status"]) for kind, data in received
    ] == [("charge.success", "don-e2e-1", 123450, "success")]
    assert received[0][1]["metadata"] == {"donation_id": "d-1"}
    event = PaystackEvent.objects.get()
    assert (event.event_type, event.reference, event.outcome) == (
        "charge.success",
        "don-e2e-1",
        "applied",
    )
    verified = sandbox.verify_transaction("don-e2e-1")
    assert verified.succeeded
    assert (verified.amount, verified.currency, verified.customer_email) == (
        123450,
        "NGN",
        "ada@example.com",
    )
    assert verified.paid_at is not None and verified.fees is not None
    # Every call went through the normal client, to the sandbox, and left a row.
    assert set(PaystackCall.objects.values_list("sandbox", "ok")) == {(True, True)}

    # Pressing again (a double submit, the back button) changes nothing.
    again = browser.press(started.authorization_url, "pay")
    assert again.status_code == 302
    assert len(received) == 1
    assert "Payment received" in browser.open(started.authorization_url).text


@live
def test_the_fail_button_sends_charge_failed(sandbox, live_server, received):
    started = start_payment(sandbox, live_server, "don-e2e-2", callback=False)
    browser = Browser()
    browser.open(started.authorization_url)

    failed = browser.press(started.authorization_url, "fail")

    assert failed.status_code == 200
    assert "Payment failed" in failed.text
    assert [(kind, data["reference"], data["status"]) for kind, data in received] == [
        ("charge.failed", "don-e2e-2", "failed")
    ]
    verified = sandbox.verify_transaction("don-e2e-2")
    assert verified.status == "failed" and not verified.succeeded


@live
def test_the_checkout_form_needs_its_csrf_token(sandbox, live_server, received):
    started = start_payment(sandbox, live_server, "don-e2e-3")

    forged = requests.post(started.authorization_url, data={"action": "pay"}, timeout=10)

    assert forged.status_code == 403
    assert received == []
    assert SandboxTransaction.objects.get(reference="don-e2e-3").status == "abandoned"


@live
def test_sandbox_answers_like_paystack_to_mistakes(sandbox, live_server):
    start_payment(sandbox, live_server, "don-e2e-4")

    with pytest.raises(PaystackDuplicateReference) as duplicate:
        start_payment(sandbox, live_server, "don-e2e-4")
    assert duplicate.value.transaction.status == "abandoned"
    with pytest.raises(PaystackNotFound):
        sandbox.verify_transaction("never-initialized")
    with pytest.raises(PaystackRejected, match="Could not resolve"):
        sandbox.resolve_account(account_number="0000000000", bank_code="058")


@live
def test_refund_is_queued_then_refund_processed_arrives(sandbox, live_server, received):
    started = start_payment(sandbox, live_server, "don-e2e-5", amount=500000)
    browser = Browser()
    browser.open(started.authorization_url)
    browser.press(started.authorization_url, "pay")

    refund = sandbox.create_refund(transaction="don-e2e-5", amount=200000, merchant_note="staff")

    assert (refund.status, refund.amount, refund.transaction_reference) == (
        "pending",
        200000,
        "don-e2e-5",
    )
    # Paystack's refund events: a string amount, no id; the refund reference once processed
    assert [
        (kind, data["transaction_reference"], data["amount"], data["status"])
        for kind, data in received[1:]
    ] == [
        ("refund.pending", "don-e2e-5", "200000", "pending"),
        ("refund.processed", "don-e2e-5", "200000", "processed"),
    ]
    assert received[1][1]["refund_reference"] is None
    assert received[2][1]["refund_reference"]
    assert all("id" not in data for kind, data in received[1:])
    assert PaystackEvent.objects.get(event_type="refund.processed").reference == "don-e2e-5"
    with pytest.raises(PaystackRejected, match="more than"):
        sandbox.create_refund(transaction="don-e2e-5", amount=300001)


@live
def test_a_withdrawal_transfer_through_the_sandbox(sandbox, received):
    banks = sandbox.list_banks(currency="NGN")
    assert ("058", "Guaranty Trust Bank") in [(b.code, b.name) for b in banks]
    account = sandbox.resolve_account(account_number="0123456789", bank_code="058")
    recipient = sandbox.create_transfer_recipient(
        name=account.account_name, account_number="0123456789", bank_code="058", currency="NGN"
    )
    assert recipient.recipient_code.startswith("RCP_")
    assert recipient.account_name == account.account_name

    transfer = sandbox.initiate_transfer(
        amount=750000,
        recipient_code=recipient.recipient_code,
        reference="wd_e2e_1_000000000",
        reason="Withdrawal",
    )

    # Paystack answers "pending"; transfer.success follows
    assert transfer.status == "pending" and transfer.transfer_code.startswith("TRF_")
    assert [(kind, data["reference"], data["status"]) for kind, data in received] == [
        ("transfer.success", "wd_e2e_1_000000000", "success")
    ]
    data = received[0][1]
    assert data["integration"]["id"] and data["session"]["provider"] == "nip"
    assert sandbox.verify_transfer("wd_e2e_1_000000000").status == "success"
    # Sending it again with the same reference finds the same transfer; nothing is paid twice.
    again = sandbox.initiate_transfer(
        amount=750000, recipient_code=recipient.recipient_code, reference="wd_e2e_1_000000000"
    )
    assert again.recovered and again.transfer_code == transfer.transfer_code
    assert len(received) == 1


@live
def test_sandbox_transfers_can_ask_for_an_otp_fail_or_be_reversed(sandbox, received, settings):
    settings.PAYSTACK_SANDBOX_TRANSFER_OTP_SUFFIX = "77"
    settings.PAYSTACK_SANDBOX_TRANSFER_FAIL_SUFFIX = "13"
    settings.PAYSTACK_SANDBOX_TRANSFER_REVERSE_SUFFIX = "99"
    recipient = sandbox.create_transfer_recipient(
        name="Ada", account_number="0123456780", bank_code="044", currency="NGN"
    )

    pending = sandbox.initiate_transfer(
        amount=100077, recipient_code=recipient.recipient_code, reference="wd_otp_1_000000000"
    )
    assert pending.status == "otp" and received == []
    with pytest.raises(PaystackRejected, match="Invalid OTP"):
        sandbox.finalize_transfer(transfer_code=pending.transfer_code, otp="000000")
    done = sandbox.finalize_transfer(transfer_code=pending.transfer_code, otp="123456")
    assert done.status == "pending"

    failing = sandbox.initiate_transfer(
        amount=100013, recipient_code=recipient.recipient_code, reference="wd_fail_1_00000000"
    )
    assert failing.status == "pending"
    reversed_ = sandbox.initiate_transfer(
        amount=100099, recipient_code=recipient.recipient_code, reference="wd_back_1_00000000"
    )
    assert reversed_.status == "pending"
    assert [(kind, data["reference"], data["status"]) for kind, data in received] == [
        ("transfer.success", "wd_otp_1_000000000", "success"),
        ("transfer.failed", "wd_fail_1_00000000", "failed"),
        ("transfer.success", "wd_back_1_00000000", "success"),
        ("transfer.reversed", "wd_back_1_00000000", "reversed"),
    ]
    assert sandbox.verify_transfer("wd_otp_1_000000000").status == "success"
    assert sandbox.verify_transfer("wd_fail_1_00000000").status == "failed"
    assert sandbox.verify_transfer("wd_back_1_00000000").status == "reversed"


@live
def test_the_sandbox_refuses_transfer_references_paystack_refuses(sandbox, live_server):
    recipient = sandbox.create_transfer_recipient(
        name="Ada", account_number="0123456780", bank_code="044", currency="NGN"
    )
    for reference in ("wd_e2e_1", "a" * 51, "WD_UPPER_0000000000"):
        answer = requests.post(
            f"{live_server.url}/sandbox/paystack/transfer",
            json={
                "source": "balance",
                "amount": 1000,
                "recipient": recipient.recipient_code,
                "reference": reference,
                "currency": "NGN",
            },
            headers={"Authorization": f"Bearer {SANDBOX_SECRET_KEY}"},
            timeout=10,
        )
        assert answer.status_code == 400
        assert answer.json()["status"] is False
        assert "16 to 50" in answer.json()["message"]


# --- switched off ---------------------------------------------------------------------

SANDBOX_URLS = [
    ("post", "/sandbox/paystack/transaction/initialize"),
    ("get", "/sandbox/paystack/transaction/verify/don-1"),
    ("get", "/sandbox/paystack/bank"),
    ("post", "/sandbox/paystack/transfer"),
    ("get", "/sandbox/checkout/abc123"),
    ("post", "/sandbox/checkout/abc123"),
]


@pytest.mark.parametrize(("method", "url"), SANDBOX_URLS)
def test_sandbox_urls_are_404_when_a_secret_key_is_set(api, db, settings, method, url):
    settings.PAYSTACK_SECRET_KEY = SECRET

    response = getattr(api, method)(url, HTTP_AUTHORIZATION=f"Bearer {SANDBOX_SECRET_KEY}")

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "url"), SANDBOX_URLS)
def test_sandbox_urls_are_404_in_production(api, db, settings, method, url):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.IS_PRODUCTION = True

    response = getattr(api, method)(url, HTTP_AUTHORIZATION=f"Bearer {SANDBOX_SECRET_KEY}")

    assert response.status_code == 404


def test_production_refuses_the_sandbox_client(settings):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.IS_PRODUCTION = True

    with pytest.raises(ImproperlyConfigured, match="PAYSTACK_SECRET_KEY"):
        get_paystack_client()


def test_the_client_goes_to_paystack_with_a_key_and_to_the_sandbox_without(settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000/"
    settings.PAYSTACK_BASE_URL = PAYSTACK
    settings.PAYSTACK_SECRET_KEY = SECRET
    real = get_paystack_client()
    assert (real.base_url, real.sandbox) == (PAYSTACK, False)
    assert real.session.headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(real)

    settings.PAYSTACK_SECRET_KEY = ""
    offline = get_paystack_client()
    assert (offline.base_url, offline.sandbox) == ("http://127.0.0.1:8000/sandbox/paystack", True)
    assert offline.session.headers["Authorization"] == f"Bearer {SANDBOX_SECRET_KEY}"
    assert type(offline) is type(real)


def test_sandbox_api_wants_the_sandbox_key(api, db, settings):
    settings.PAYSTACK_SECRET_KEY = ""

    response = api.post(
        "/sandbox/paystack/transaction/initialize",
        data={"email": "a@example.com", "amount": 100},
        format="json",
        HTTP_AUTHORIZATION="Bearer sk_live_guess",
    )

    assert response.status_code == 401
    assert response.json() == {"status": False, "message": "Invalid key"}
