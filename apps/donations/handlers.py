"""Paystack webhook handlers of the donations domain (registered in apps.py).

Each takes the stored `PaystackEvent` and returns its outcome ("applied", "duplicate",
"ignored"); raising marks the event failed, and the payments app retries it. They run
outside any transaction, so the services they call own their durable transactions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .services import (
    donation_apply_charge_failed,
    donation_apply_charge_success,
    donation_refund_settle,
)

if TYPE_CHECKING:
    from apps.payments.models import PaystackEvent


def on_charge_success(event: PaystackEvent) -> str:
    return donation_apply_charge_success(reference=event.reference, data=event.data)


def on_charge_failed(event: PaystackEvent) -> str:
    return donation_apply_charge_failed(reference=event.reference, data=event.data)


def on_refund_processed(event: PaystackEvent) -> str:
    data = event.data
    refund_id = data.get("id")
    return donation_refund_settle(
        reference=event.reference,
        paystack_refund_id="" if refund_id is None else str(refund_id),
        amount=data.get("amount"),
        currency=str(data.get("currency") or "").upper(),
    )
