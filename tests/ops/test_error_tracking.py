"""Errors reach Sentry tagged with the request id, without secrets, codes or card data.

The events are the ones sentry-sdk itself builds (Django integration, from a real
failing request), caught by a transport that keeps them in memory: nothing leaves.
"""

import json

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from sentry_sdk.transport import Transport

from apps.core.context import request_id_var
from krogiving.observability import FILTERED, init_sentry, scrub_text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.urls")]

SECRETS = [
    "hunter2-very-secret",
    "AUTH_zz9plural",
    "4084084084084081",
    "4084 0840 8408 4081",
    "sk_test_abcdef0123456789",
    "482913",
    "eyJhbGciOiJIUzI1NiJ9.payload.sig",
    "sess-cookie-value",
    "654321",
    "0123456789",
    "t0ps3cr3t-signature",
]


class MemoryTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry_events():
    transport = MemoryTransport()
    init_sentry("https://public@sentry.example.invalid/1", environment="test", transport=transport)
    yield transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is sent by the tests that follow


def _post(path: str) -> None:
    """POST through Django's real WSGI handler, as gunicorn calls it: sentry-sdk's Django
    integration records the URL and headers there (the test client bypasses it)."""
    environ = (
        RequestFactory()
        .post(
            path + "?otp=654321&page=2",
            data=json.dumps(
                {
                    "email": "donor@example.com",
                    "password": "hunter2-very-secret",
                    "otp": "654321",
                    "authorization_code": "AUTH_zz9plural",
                    "card": {"number": "4084084084084081", "cvv": "408"},
                    "account_number": "0123456789",
                    "amount": 5000,
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
            HTTP_COOKIE="sessionid=sess-cookie-value",
            HTTP_X_PAYSTACK_SIGNATURE="t0ps3cr3t-signature",
            HTTP_X_REQUEST_ID="req-sentry-00001",
        )
        .environ
    )
    statuses = []
    # As the test client does: closing "old" connections at the end of the request would
    # close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert statuses == ["500 Internal Server Error"]


def test_a_failing_request_reaches_sentry_scrubbed_and_tagged(sentry_events):
    _post("/v1/ops-test/boom")

    (event,) = [e for e in sentry_events if e.get("exception")]
    assert event["tags"]["request_id"] == "req-sentry-00001"
    sent = json.dumps(event)
    for secret in SECRETS:
        assert secret not in sent, secret

    request = event["request"]
    assert request["headers"]["Authorization"] == FILTERED
    assert request["headers"]["X-Paystack-Signature"] == FILTERED
    assert request["headers"].get("Cookie", FILTERED) == FILTERED
    assert request["headers"]["X-Request-Id"] == "req-sentry-00001"
    assert request["data"]["password"] == FILTERED
    assert request["data"]["otp"] == FILTERED
    assert request["data"]["card"] == FILTERED
    assert request["data"]["account_number"] == FILTERED
    # What helps debugging stays.
    assert request["data"]["amount"] == 5000
    assert "page=2" in request["query_string"]
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"].startswith("charge failed for card [Filtered]")
    frame = exception["stacktrace"]["frames"][-1]
    assert frame["function"] == "charge_and_fail"
    assert frame["vars"]["password"] == FILTERED
    assert frame["vars"]["amount"] == "5000"
    crumbs = [c.get("message", "") for c in event["breadcrumbs"]["values"]]
    assert "otp=[Filtered] sent to the donor" in crumbs


def test_a_paystack_request_body_is_never_sent(sentry_events):
    _post("/v1/payments/paystack/boom")

    (event,) = [e for e in sentry_events if e.get("exception")]
    assert event["request"]["data"] == FILTERED
    assert event["tags"]["request_id"] == "req-sentry-00001"


def test_an_error_in_a_task_is_tagged_with_the_request_that_enqueued_it(sentry_events):
    token = request_id_var.set("req-from-task-01")  # as task_prerun sets it
    try:
        try:
            raise ValueError("token=abc123def456 refused")
        except ValueError as exc:
            sentry_sdk.capture_exception(exc)
    finally:
        request_id_var.reset(token)

    (event,) = sentry_events
    assert event["tags"]["request_id"] == "req-from-task-01"
    assert event["exception"]["values"][0]["value"] == "token=[Filtered] refused"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 5060 6666 6666 6666 666 declined", "card [Filtered] declined"),
        ("amount 10000000000000 kobo", "amount 10000000000000 kobo"),  # not a card (Luhn)
        ("Authorization: Bearer abcdefgh12345678", "Authorization: Bearer [Filtered]"),
        ('{"code": "123456"}', '{"code": "[Filtered]"}'),
        ("key sk_live_0123abcd in use", "key [Filtered] in use"),
    ],
)
def test_free_text_scrubbing(text, expected):
    assert scrub_text(text) == expected


HIGHLIGHT_SCRIPT = r"""
import json, os, sys, traceback
import django
django.setup()
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from celery import signals
from django.core.signals import got_request_exception
from django.test import RequestFactory
from apps.core.context import request_id_var
from krogiving.celery import app
from krogiving.observability import init_highlight

def main():
    # An endpoint that refuses connections: nothing leaves; spans are read in memory.
    highlight = init_highlight("test-project", environment="test", otlp_endpoint="http://127.0.0.1:9")
    memory = InMemorySpanExporter()
    highlight._trace_provider.add_span_processor(SimpleSpanProcessor(memory))

    request_id_var.set("req-highlight-01")
    request = RequestFactory().post("/v1/ops-test/boom", {"password": "hunter2-very-secret"})
    try:
        raise RuntimeError(
            "charge failed for card 4084 0840 8408 4081 with sk_test_abcdef0123456789"
        )
    except RuntimeError:
        got_request_exception.send(sender=None, request=request)
    app.loader.import_default_modules()
    signals.task_failure.send(
        sender=app.tasks["payouts.send_transfer"],
        task_id="task-1",
        exception=ValueError("otp=482913 refused"),
    )
    print(json.dumps([json.loads(span.to_json()) for span in memory.get_finished_spans()]))

try:
    main()
    code = 0
except BaseException:
    traceback.print_exc()
    code = 1
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)  # skip the exporters' flush at exit (their endpoint is closed)
"""


def test_highlight_gets_errors_scrubbed_and_tagged():
    """Through highlight-io's own SDK (in a process of its own: it sets OpenTelemetry's
    global providers), with its exporter pointed at a closed port."""
    pytest.importorskip("highlight_io")
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "krogiving.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", HIGHLIGHT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    spans = json.loads(done.stdout.strip().splitlines()[-1])
    assert [span["name"] for span in spans] == [
        "POST /v1/ops-test/boom",
        "payouts.send_transfer",
    ]
    sent = json.dumps(spans)
    for secret in SECRETS:
        assert secret not in sent, secret
    request_error, task_error = (span["events"][0]["attributes"] for span in spans)
    assert request_error["request_id"] == "req-highlight-01"
    assert request_error["exception.type"] == "RuntimeError"
    assert request_error["exception.message"] == (
        "charge failed for card [Filtered] with [Filtered]"
    )
    assert task_error["exception.message"] == "otp=[Filtered] refused"
    assert task_error["celery.task"] == "payouts.send_transfer"
