"""`POST /v1/paystack/webhook`: Paystack's signed events.

A plain Django view, so the raw body is what gets verified: nothing parses it before
the signature check. Order: source address (only if PAYSTACK_WEBHOOK_IP_ALLOWLIST is
set) -> `x-paystack-signature` (HMAC-SHA512 of the raw body with the secret key,
constant-time) -> parse -> store -> 200. A refused request writes nothing. The event
is applied after commit by a task (see services.py).
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.core.errors import error_body
from apps.core.http import client_ip
from apps.core.parsers import json_loads

from .services import paystack_event_record
from .signing import signature_valid, webhook_secret

logger = logging.getLogger(__name__)


def _ip_allowed(ip: str, allowlist: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowlist:
        try:
            if address in ipaddress.ip_network(str(entry).strip(), strict=False):
                return True
        except ValueError:
            logger.error("PAYSTACK_WEBHOOK_IP_ALLOWLIST has an invalid entry: %r", entry)
    return False


@csrf_exempt
def paystack_webhook(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = JsonResponse(
            error_body("method_not_allowed", f'Method "{request.method}" not allowed.'),
            status=405,
        )
        response["Allow"] = "POST"
        return response
    ip = client_ip(request)
    allowlist = list(settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST)
    if allowlist and not _ip_allowed(ip, allowlist):
        logger.warning("paystack webhook refused: source not allowed", extra={"client_ip": ip})
        return JsonResponse(
            error_body("forbidden_source", "Webhooks are accepted from Paystack's addresses only."),
            status=403,
        )
    body = request.body
    secret = webhook_secret()
    if secret is None:
        logger.error("paystack webhook refused: no PAYSTACK_SECRET_KEY to verify it with")
    if not signature_valid(body, request.headers.get("x-paystack-signature"), secret):
        logger.warning(
            "paystack webhook refused: %s signature",
            "missing" if not request.headers.get("x-paystack-signature") else "invalid",
            extra={"client_ip": ip},
        )
        return JsonResponse(
            error_body("invalid_signature", "The x-paystack-signature header is missing or wrong."),
            status=401,
        )
    try:
        payload = json_loads(body)  # a body nested too deeply is a ValueError too
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        return JsonResponse(
            error_body(
                "malformed_request", "The body is not a Paystack event (JSON with `event`)."
            ),
            status=400,
        )
    event, created = paystack_event_record(body=body, payload=payload, source_ip=ip)
    return JsonResponse({"received": True, "event_id": str(event.id), "duplicate": not created})
