import json

import pytest
import responses

from apps.payments.events import register_event_handler, unregister_event_handler
from apps.payments.paystack import get_paystack_client
from apps.payments.signing import sign

PAYSTACK = "https://api.paystack.co"
SECRET = "sk_test_4d1b6c0e9f2a7b3c5d8e0f1a2b3c4d5e6f7a8b9c"


@pytest.fixture
def paystack_settings(settings):
    """A real-looking key, the public API URL and no waiting between retries."""
    settings.PAYSTACK_SECRET_KEY = SECRET
    settings.PAYSTACK_BASE_URL = PAYSTACK
    settings.PAYSTACK_CHANNELS = ["card", "bank", "ussd", "bank_transfer"]
    settings.PAYSTACK_RETRY_BACKOFF_SECONDS = 0
    settings.PAYSTACK_MAX_ATTEMPTS = 3
    settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST = []
    return settings


@pytest.fixture
def http():
    """Fakes outbound HTTP; a request to anything not registered fails the call."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def paystack(paystack_settings, db):
    return get_paystack_client()


@pytest.fixture(autouse=True)
def _isolated_handlers():
    """Payments tests run without the domain apps' handlers; restored afterwards."""
    from apps.payments import events

    saved = dict(events._handlers)
    events._handlers.clear()
    yield
    events._handlers.clear()
    events._handlers.update(saved)


@pytest.fixture
def handlers():
    """Register event handlers for one test; they are removed afterwards."""
    registered = []

    def register(event_type, handler):
        register_event_handler(event_type, handler)
        registered.append((event_type, handler))
        return handler

    yield register
    for event_type, handler in registered:
        unregister_event_handler(event_type, handler)


def envelope(data, message="OK", status=True, **extra):
    return {"status": status, "message": message, "data": data, **extra}


def charge_success(reference="don-ref-0001", amount=500000, currency="NGN", **data):
    return {
        "event": "charge.success",
        "data": {
            "id": 4099260516,
            "domain": "test",
            "status": "success",
            "reference": reference,
            "amount": amount,
            "currency": currency,
            "gateway_response": "Successful",
            "paid_at": "2026-05-24T10:23:11.000Z",
            "channel": "card",
            "customer": {"email": "donor@example.com"},
            **data,
        },
    }


def body_of(payload) -> bytes:
    """Bytes the way Paystack sends them: compact JSON."""
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = SECRET) -> dict:
    return {"HTTP_X_PAYSTACK_SIGNATURE": sign(body, secret)}
