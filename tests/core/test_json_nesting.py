"""A deeply nested JSON body (a couple of kilobytes of `[`) makes `json.loads` raise
RecursionError: every JSON endpoint answers 400 `malformed_request`, logged as one line
with no traceback, whether or not the client is signed in."""

import logging

import pytest
from rest_framework.test import APIClient

from apps.payments.signing import sign
from tests.factories import UserFactory
from tests.paystack import PAYSTACK_SECRET

pytestmark = pytest.mark.django_db

DEEP = [b"[" * 2048, b"[" * 2048 + b"]" * 2048, b'{"a":' * 5000 + b"1" + b"}" * 5000]


def _assert_refused(response, caplog) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_request"
    assert "Traceback" not in response.content.decode()
    # One line, Django's own for every 4xx answer, with no traceback.
    lines = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(record.name, record.levelname) for record in lines] == [("django.request", "WARNING")]
    assert lines[0].exc_info is None


@pytest.mark.parametrize("body", DEEP)
@pytest.mark.parametrize(
    "url", ["/v1/users/login", "/v1/users/register", "/v1/donations/initialize"]
)
def test_public_json_endpoints_refuse_deep_nesting(url, body, caplog, paystack_settings):
    caplog.set_level(logging.INFO)
    response = APIClient().post(url, data=body, content_type="application/json")
    _assert_refused(response, caplog)


def test_a_signed_in_endpoint_with_its_own_json_parser_refuses_it(caplog):
    from tests.campaigns.media.conftest import client_for

    caplog.set_level(logging.INFO)
    client = client_for(UserFactory())
    for url in ("/v1/file-upload/presign", "/v1/campaigns"):
        caplog.clear()
        response = client.post(url, data=DEEP[0], content_type="application/json")
        _assert_refused(response, caplog)


def test_the_webhook_refuses_it_unsigned_before_reading_it(paystack_settings, caplog):
    response = APIClient().post(
        "/v1/paystack/webhook", data=DEEP[0], content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"


def test_the_webhook_refuses_it_signed(paystack_settings, caplog):
    caplog.set_level(logging.INFO)
    response = APIClient().post(
        "/v1/paystack/webhook",
        data=DEEP[0],
        content_type="application/json",
        HTTP_X_PAYSTACK_SIGNATURE=sign(DEEP[0], PAYSTACK_SECRET),
    )
    _assert_refused(response, caplog)
