"""Paystack's transfer.* webhooks (registered in apps.py): success, failed, reversed,
each applied once to the withdrawal whose reference it carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .services import Outcome, payout_apply_transfer_event

if TYPE_CHECKING:
    from apps.payments.models import PaystackEvent


def on_transfer_event(event: PaystackEvent) -> Outcome:
    return payout_apply_transfer_event(
        event_type=event.event_type, reference=event.reference, data=event.data
    )
