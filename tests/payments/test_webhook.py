"""POST /v1/paystack/webhook: signature, storage, handlers."""

import json
import time

import pytest
from django.test import Client

from apps.payments.models import PaystackEvent
from apps.payments.services import paystack_event_process
from apps.payments.signing import SANDBOX_SECRET_KEY, sign
from apps.payments.tasks import process_paystack_event
from tests.concurrency import run_in_threads

from .conftest import SECRET, body_of, charge_success, signed_headers

URL = "/v1/paystack/webhook"


@pytest.fixture
def post(api, paystack_settings, db, django_capture_on_commit_callbacks):
    """POST raw bytes, running the on-commit work (the eager task) as a commit would."""

    def send(body: bytes, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(URL, data=body, content_type="application/json", **headers)

    return send


@pytest.fixture
def received(handlers):
    """A charge.success handler that records what it was given."""
    events = []

    def on_charge_success(event):
        events.append((event.event_type, event.reference, event.data["amount"]))
        return "applied"

    handlers("charge.success", on_charge_success)
    return events


def test_a_signed_event_is_stored_and_applied_once(post, received):
    body = body_of(charge_success(reference="don-8x1", amount=750000))

    response = post(body, **signed_headers(body))

    assert response.status_code == 200
    assert response.json()["received"] is True
    event = PaystackEvent.objects.get()
    assert (event.event_type, event.reference, event.paystack_id) == (
        "charge.success",
        "don-8x1",
        "4099260516",
    )
    assert event.payload == json.loads(body)
    assert event.outcome == "applied"
    assert event.attempts == 1 and event.processed_at is not None
    assert event.source_ip == "127.0.0.1"
    assert received == [("charge.success", "don-8x1", 750000)]


def test_missing_signature_is_refused_and_nothing_is_written(post, received):
    response = post(body_of(charge_success()))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert PaystackEvent.objects.count() == 0
    assert received == []


@pytest.mark.parametrize(
    "signature",
    [
        "0" * 128,
        sign(b"something else", SECRET),
        "not hex at all é",
        "",
    ],
    ids=["zeros", "other-body", "garbage", "empty"],
)
def test_wrong_signature_is_refused(post, received, signature):
    response = post(body_of(charge_success()), HTTP_X_PAYSTACK_SIGNATURE=signature)

    assert response.status_code == 401
    assert PaystackEvent.objects.count() == 0
    assert received == []


def test_signature_made_with_another_key_is_refused(post, received):
    body = body_of(charge_success())

    response = post(body, **signed_headers(body, SANDBOX_SECRET_KEY))

    assert response.status_code == 401
    assert PaystackEvent.objects.count() == 0


def test_same_json_reserialised_fails_the_signature(post, received):
    original = body_of(charge_success())
    signature = signed_headers(original)
    reserialised = json.dumps(json.loads(original), indent=2, sort_keys=True).encode()
    assert json.loads(reserialised) == json.loads(original)

    response = post(reserialised, **signature)

    assert response.status_code == 401
    assert PaystackEvent.objects.count() == 0
    assert received == []


def test_unknown_event_type_is_stored_as_ignored_and_answered_200(post, received):
    body = body_of({"event": "subscription.create", "data": {"id": 1, "reference": "sub-1"}})

    response = post(body, **signed_headers(body))

    assert response.status_code == 200
    event = PaystackEvent.objects.get()
    assert (event.event_type, event.outcome) == ("subscription.create", "ignored")
    assert received == []


def test_handler_failure_is_recorded_as_failed_with_the_error(post, handlers):
    def broken(event):
        raise RuntimeError("ledger said no")

    handlers("charge.success", broken)
    body = body_of(charge_success())

    response = post(body, **signed_headers(body))

    assert response.status_code == 200
    event = PaystackEvent.objects.get()
    assert event.outcome == "failed"
    assert "RuntimeError: ledger said no" in event.error
    assert event.processed_at is None and event.attempts == 1


@pytest.mark.parametrize(
    ("returned", "outcome"),
    [("duplicate", "duplicate"), ("ignored", "ignored"), (None, "applied"), ("done", "failed")],
)
def test_the_handlers_answer_is_the_outcome(post, handlers, returned, outcome):
    handlers("charge.success", lambda event: returned)
    body = body_of(charge_success())

    post(body, **signed_headers(body))

    assert PaystackEvent.objects.get().outcome == outcome


def test_a_redelivered_body_is_one_event_applied_once(post, received):
    body = body_of(charge_success())

    first = post(body, **signed_headers(body))
    second = post(body, **signed_headers(body))

    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    event = PaystackEvent.objects.get()
    assert event.deliveries == 2
    assert len(received) == 1


def test_a_redelivery_of_a_failed_event_applies_it_again(post, handlers):
    calls = []

    def flaky(event):
        calls.append(event.id)
        if len(calls) == 1:
            raise ConnectionError("database hiccup")
        return "applied"

    handlers("charge.success", flaky)
    body = body_of(charge_success())

    post(body, **signed_headers(body))
    assert PaystackEvent.objects.get().outcome == "failed"
    post(body, **signed_headers(body))

    event = PaystackEvent.objects.get()
    assert event.outcome == "applied" and event.attempts == 2 and event.error == ""
    assert len(calls) == 2


def test_processing_the_same_event_twice_applies_it_once(post, received):
    body = body_of(charge_success())
    post(body, **signed_headers(body))
    event = PaystackEvent.objects.get()

    again = paystack_event_process(event_id=str(event.id))
    task_result = process_paystack_event.delay(str(event.id)).get()

    assert again.outcome == "applied" and task_result == "applied"
    assert len(received) == 1
    assert PaystackEvent.objects.get().attempts == 1


def test_malformed_but_signed_body_is_refused_without_a_row(post):
    for body in (b"not json", b"[1, 2]", b'{"data": {}}'):
        response = post(body, **signed_headers(body))
        assert response.status_code == 400
    assert PaystackEvent.objects.count() == 0


def test_only_post_is_allowed(api, db):
    response = api.get(URL)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_sandbox_mode_verifies_with_the_sandbox_key(post, received, settings):
    settings.PAYSTACK_SECRET_KEY = ""
    body = body_of(charge_success())

    assert post(body, **signed_headers(body, SECRET)).status_code == 401
    assert post(body, **signed_headers(body, SANDBOX_SECRET_KEY)).status_code == 200
    assert len(received) == 1


def test_production_without_a_key_refuses_every_webhook(post, received, settings):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.IS_PRODUCTION = True
    body = body_of(charge_success())

    response = post(body, **signed_headers(body, SANDBOX_SECRET_KEY))

    assert response.status_code == 401
    assert PaystackEvent.objects.count() == 0


class TestSourceAllowlist:
    @pytest.fixture(autouse=True)
    def allowlist(self, paystack_settings):
        paystack_settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST = [
            "52.31.139.75",
            "52.49.173.169",
            "52.214.14.220",
            "10.20.0.0/16",
        ]

    def test_another_address_is_refused_before_anything_is_written(self, post, received):
        body = body_of(charge_success())

        response = post(body, REMOTE_ADDR="198.51.100.7", **signed_headers(body))

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden_source"
        assert PaystackEvent.objects.count() == 0

    @pytest.mark.parametrize("address", ["52.49.173.169", "10.20.3.4"])
    def test_a_listed_address_is_accepted(self, post, received, address):
        body = body_of(charge_success())

        response = post(body, REMOTE_ADDR=address, **signed_headers(body))

        assert response.status_code == 200
        assert PaystackEvent.objects.get().source_ip == address
        assert len(received) == 1

    def test_a_listed_address_still_needs_the_signature(self, post, received):
        response = post(body_of(charge_success()), REMOTE_ADDR="52.31.139.75")

        assert response.status_code == 401
        assert PaystackEvent.objects.count() == 0

    def test_forwarded_for_is_trusted_only_behind_a_proxy(self, post, received, settings):
        body = body_of(charge_success())
        forged = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "52.31.139.75"}

        assert post(body, **forged, **signed_headers(body)).status_code == 403
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        assert post(body, **forged, **signed_headers(body)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_ten_times_at_once_is_one_row_applied_once(
    paystack_settings, handlers
):
    calls = []

    def slow(event):
        calls.append(event.id)
        time.sleep(0.2)
        return "applied"

    handlers("charge.success", slow)
    body = body_of(charge_success())
    statuses, errors = run_in_threads(
        10,
        lambda _: (
            Client()
            .post(URL, data=body, content_type="application/json", **signed_headers(body))
            .status_code
        ),
    )

    assert errors == []
    assert statuses == [200] * 10
    event = PaystackEvent.objects.get()
    assert event.deliveries == 10
    assert event.outcome == "applied"
    assert len(calls) == 1
