"""Views that fail on purpose, for the error-tracking tests (tests/ops/test_error_tracking.py)."""

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("tests.ops")


@csrf_exempt  # an API view, as DRF's are
def charge_and_fail(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    # Frame locals, which Sentry sends with the stack trace.
    password = body["password"]  # noqa: F841
    authorization_code = body["authorization_code"]  # noqa: F841
    card = body["card"]
    amount = body["amount"]  # noqa: F841
    logger.info("otp=482913 sent to the donor")
    spaced = " ".join(card["number"][i : i + 4] for i in range(0, 16, 4))
    raise RuntimeError(f"charge failed for card {spaced} using sk_test_abcdef0123456789")


urlpatterns = [
    path("v1/ops-test/boom", charge_and_fail),
    path("v1/payments/paystack/boom", charge_and_fail),
    path("", include("krogiving.urls")),
]
