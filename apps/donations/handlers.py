"""Paystack webhook handlers of the donations domain (registered in apps.py).

Each takes the stored `PaystackEvent` and returns its outcome ("applied", "duplicate",
"ignored"); raising marks the event failed, and the payments app retries it. They run
outside any transaction, so the services they call own their durable transactions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .services import (
    Outcome,
    donation_apply_charge_failed,
    donation_apply_charge_success,
    donation_refund_apply_event,
)

if TYPE_CHECKING:
    from apps.payments.models import PaystackEvent


def on_charge_success(event: PaystackEvent) -> Outcome:
    return donation_apply_charge_success(reference=event.reference, data=event.data)


def on_charge_failed(event: PaystackEvent) -> Outcome:
    """Only the sandbox sends charge.failed; Paystack's failures come from verify."""
    return donation_apply_charge_failed(reference=event.reference, data=event.data)


def on_refund_event(event: PaystackEvent) -> Outcome:
    """Every refund.* event: Paystack's documented refund events carry
    `transaction_reference`, `refund_reference` and a (string) `amount`, and no `id`."""
    return donation_refund_apply_event(
        event_type=event.event_type, reference=event.reference, data=event.data
    )
