import json

import pytest
import responses

from apps.payments.events import register_event_handler, unregister_event_handler
from apps.payments.paystack import get_paystack_client
from apps.payments.signing import sign
from tests.paystack import PAYSTACK_SECRET, PAYSTACK_URL

# The values the shared `paystack_settings` fixture (tests/conftest.py) sets.
PAYSTACK = PAYSTACK_URL
SECRET = PAYSTACK_SECRET


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
