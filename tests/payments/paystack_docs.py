"""Paystack's documented examples (tests/payments/fixtures/paystack/) and the JSON Schemas
derived from them and from the OpenAPI description: the keys we and Paystack rely on,
required, with their types. The examples and every sandbox answer and webhook must
validate; a sandbox that drifts from Paystack fails the suite.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

FIXTURES = Path(__file__).parent / "fixtures" / "paystack"

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
B = {"type": "boolean"}
OBJ = {"type": "object"}
NULL_S = {"type": ["string", "null"]}
NULL_I = {"type": ["integer", "null"]}
ANY: dict = {}


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


def envelope(data: dict, **extra: Any) -> dict:
    return _obj({"status": {"const": True}, "message": S, "data": data}, extra)


def listing(item: dict, **extra: Any) -> dict:
    return _obj(
        {"status": {"const": True}, "message": S, "data": {"type": "array", "items": item}}, extra
    )


CUSTOMER = _obj(
    {"id": I, "email": S, "customer_code": S},
    {"first_name": NULL_S, "last_name": NULL_S, "phone": NULL_S, "risk_action": S},
)
# {} before payment; a card's details after (the card's signature and code we never store)
AUTHORIZATION = {
    "type": "object",
    "properties": {"last4": S, "channel": S, "card_type": S, "bank": S, "brand": S, "reusable": B},
}
# metadata: an object, "" or 0 (Paystack sends all three), or null
METADATA = {"type": ["object", "string", "integer", "null"]}

# A transaction as charge.* webhooks and verify carry it (keys both documented ones have).
TRANSACTION = _obj(
    {
        "id": I,
        "domain": S,
        "status": S,
        "reference": S,
        "amount": I,
        "message": NULL_S,
        "gateway_response": NULL_S,
        "paid_at": NULL_S,
        "created_at": S,
        "channel": S,
        "currency": S,
        "ip_address": NULL_S,
        "metadata": METADATA,
        "fees": NULL_I,
        "customer": CUSTOMER,
        "authorization": AUTHORIZATION,
    },
    {"log": {"type": ["object", "null"]}, "plan": {"type": ["object", "null"]}},
)
# verify adds these (dist/api/transactions/verify/response.json; VerifyResponse)
VERIFIED = {
    "allOf": [
        TRANSACTION,
        _obj(
            {
                "paidAt": NULL_S,
                "createdAt": S,
                "requested_amount": I,
                "transaction_date": S,
                "fees_split": ANY,
                "split": OBJ,
                "order_id": ANY,
                "pos_transaction_data": ANY,
                "source": ANY,
                "fees_breakdown": ANY,
                "plan_object": OBJ,
                "subaccount": OBJ,
            }
        ),
        {"properties": {"customer": _obj({"international_format_phone": NULL_S})}},
    ]
}

RECIPIENT_DETAILS = _obj(
    {"account_number": S, "account_name": NULL_S, "bank_code": S, "bank_name": S},
    {"authorization_code": NULL_S},
)
_RECIPIENT = {
    "active": B,
    "currency": S,
    "domain": S,
    "id": I,
    "integration": I,
    "name": S,
    "recipient_code": S,
    "type": S,
    "is_deleted": B,
    "details": RECIPIENT_DETAILS,
}
_RECIPIENT_MORE = {"description": NULL_S, "email": NULL_S, "metadata": {"type": ["object", "null"]}}
RECIPIENT = _obj({**_RECIPIENT, "createdAt": S, "updatedAt": S}, _RECIPIENT_MORE)
RECIPIENT_IN_EVENT = _obj({**_RECIPIENT, "created_at": S, "updated_at": S}, _RECIPIENT_MORE)

SESSION = _obj({"provider": NULL_S, "id": NULL_S})
_TRANSFER = {
    "amount": I,
    "currency": S,
    "domain": S,
    "id": I,
    "reason": NULL_S,
    "source": S,
    "status": S,
    "transfer_code": S,
}
# POST /transfer and /transfer/finalize_transfer: `recipient` is the recipient's id
TRANSFER_INITIATED = _obj(
    {**_TRANSFER, "integration": I, "recipient": I, "createdAt": S, "updatedAt": S},
    {"reference": S, "transferred_at": NULL_S, "failures": ANY},
)
# GET /transfer/verify/<reference>
TRANSFER_VERIFIED = _obj(
    {
        **_TRANSFER,
        "integration": I,
        "reference": S,
        "source_details": ANY,
        "failures": ANY,
        "titan_code": ANY,
        "transferred_at": NULL_S,
        "recipient": RECIPIENT,
        "session": SESSION,
        "createdAt": S,
        "updatedAt": S,
    }
)
# transfer.success / transfer.failed / transfer.reversed
TRANSFER_EVENT = _obj(
    {
        **_TRANSFER,
        "integration": _obj({"id": I, "is_live": B, "business_name": S}),
        "reference": S,
        "source_details": ANY,
        "failures": ANY,
        "titan_code": ANY,
        "transferred_at": NULL_S,
        "recipient": RECIPIENT_IN_EVENT,
        "session": SESSION,
        "created_at": S,
        "updated_at": S,
    }
)

# refund.pending / processing / processed / failed (dist/doc/payments/refunds/events.js):
# no id; the amount is a string (an integer in the refund.failed example)
REFUND_EVENT = {
    **_obj(
        {
            "status": S,
            "transaction_reference": S,
            "refund_reference": NULL_S,
            "amount": {"type": ["string", "integer"], "pattern": "^[0-9]+$"},
            "currency": S,
            "processor": S,
            "customer": _obj({"email": S}, {"first_name": NULL_S, "last_name": NULL_S}),
            "integration": I,
            "domain": S,
        }
    ),
    "not": {"required": ["id"]},
}

# POST /refund (RefundCreateResponse)
REFUND_CREATED = _obj(
    {
        "transaction": _obj(
            {
                "id": I,
                "domain": S,
                "reference": S,
                "amount": I,
                "paid_at": NULL_S,
                "channel": S,
                "currency": S,
                "authorization": OBJ,
                "customer": OBJ,
                "plan": OBJ,
                "subaccount": OBJ,
                "split": OBJ,
                "order_id": ANY,
                "paidAt": NULL_S,
                "pos_transaction_data": ANY,
                "source": ANY,
                "fees_breakdown": ANY,
            }
        ),
        "integration": I,
        "deducted_amount": I,
        "channel": ANY,
        "merchant_note": S,
        "customer_note": S,
        "status": S,
        "refunded_by": S,
        "expected_at": S,
        "currency": S,
        "domain": S,
        "amount": I,
        "fully_deducted": B,
        "id": I,
        "createdAt": S,
        "updatedAt": S,
    }
)

BANK = _obj(
    {
        "id": I,
        "name": S,
        "slug": S,
        "code": S,
        "longcode": S,
        "gateway": NULL_S,
        "pay_with_bank": B,
        "supports_transfer": B,
        "active": B,
        "is_deleted": B,
        "country": S,
        "currency": S,
        "type": S,
        "createdAt": S,
        "updatedAt": S,
    }
)


def _event(name: str, data: dict) -> dict:
    return _obj({"event": {"const": name}, "data": data})


SCHEMAS: dict[str, dict] = {
    "transaction_initialize": envelope(
        _obj({"authorization_url": S, "access_code": S, "reference": S})
    ),
    "transaction_verify": envelope(VERIFIED),
    "refund_create": envelope(REFUND_CREATED),
    "bank_list": listing(BANK, meta=_obj({"next": NULL_S, "previous": NULL_S, "perPage": I})),
    "bank_resolve": envelope(_obj({"account_number": S, "account_name": S, "bank_id": I})),
    "transfer_recipient": envelope(RECIPIENT),
    "transfer_initiate": envelope(TRANSFER_INITIATED),
    "transfer_initiate_otp": envelope(TRANSFER_INITIATED),
    "transfer_verify": envelope(TRANSFER_VERIFIED),
    "charge.success": _event("charge.success", TRANSACTION),
    "charge.failed": _event("charge.failed", TRANSACTION),
    **{
        f"refund.{status}": _event(f"refund.{status}", REFUND_EVENT)
        for status in ("pending", "processing", "processed", "failed")
    },
    **{
        f"transfer.{status}": _event(f"transfer.{status}", TRANSFER_EVENT)
        for status in ("success", "failed", "reversed")
    },
}
for _schema in SCHEMAS.values():
    Draft202012Validator.check_schema(_schema)


def documented(name: str) -> dict:
    """A fresh copy of the documented example `name` (its `body`)."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text())["body"])


def documented_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def schema_errors(name: str, body: Any) -> list[str]:
    """Why `body` does not have the documented shape of `name` ([]: it does)."""
    validator = Draft202012Validator(SCHEMAS[name])
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    ]
