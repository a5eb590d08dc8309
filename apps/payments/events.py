"""Which function applies which Paystack event.

Domain apps register in their `AppConfig.ready()` (a type, or a family as `refund.*`,
which handles every `refund.<x>` without a handler of its own)::

    from apps.payments.events import register_event_handler

    register_event_handler("charge.success", donation_apply_charge_success)

A handler takes the stored `PaystackEvent` and returns its outcome: "applied" (it
changed something), "duplicate" (already applied, by this or another delivery or by the
verify path), or "ignored" (nothing to do: unknown reference, stale event). None counts
as "applied". It raises to fail; the failure is recorded on the event and retried.

Handlers run outside any transaction opened by this app, so a handler can be (or call)
a service that opens the outermost `transaction.atomic(durable=True)`. They must be
idempotent: an event can be applied twice (a crash between the handler's commit and
the outcome being recorded, a replay, the same change arriving in two bodies).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import PaystackEvent

EventHandler = Callable[["PaystackEvent"], str | None]

# The events the platform is expected to handle (registered by donations and payouts).
KNOWN_EVENT_TYPES = (
    "charge.success",
    "transfer.success",
    "transfer.failed",
    "transfer.reversed",
    "refund.pending",
    "refund.processing",
    "refund.processed",
    "refund.failed",
)
HANDLER_OUTCOMES = frozenset({"applied", "duplicate", "ignored"})

_handlers: dict[str, EventHandler] = {}
_lock = threading.Lock()


def register_event_handler(
    event_type: str, handler: EventHandler, *, replace: bool = False
) -> None:
    """Make `handler` the one that applies `event_type` events.

    Registering the same function again is a no-op; a different one for a type that
    already has a handler is refused (ValueError) unless `replace=True`, so two apps
    cannot both settle the same event by accident.
    """
    if not isinstance(event_type, str) or not event_type.strip():
        raise ValueError("event_type must be a non-empty string such as 'charge.success'")
    if not callable(handler):
        raise TypeError("handler must be callable")
    with _lock:
        current = _handlers.get(event_type)
        if current is not None and current != handler and not replace:
            raise ValueError(
                f"{event_type!r} already has a handler ({_name(current)}); "
                "pass replace=True to swap it"
            )
        _handlers[event_type] = handler


def unregister_event_handler(event_type: str, handler: EventHandler | None = None) -> None:
    """Remove the handler of `event_type` (only if it is `handler`, when given)."""
    with _lock:
        current = _handlers.get(event_type)
        if current is not None and (handler is None or current == handler):
            del _handlers[event_type]


def get_event_handler(event_type: str) -> EventHandler | None:
    """The handler of `event_type`, else of its family (`refund.*` for `refund.failed`)."""
    handler = _handlers.get(event_type)
    if handler is None and "." in event_type:
        handler = _handlers.get(event_type.rpartition(".")[0] + ".*")
    return handler


def registered_event_types() -> list[str]:
    return sorted(_handlers)


def _name(handler: EventHandler) -> str:
    module = getattr(handler, "__module__", "")
    name = getattr(handler, "__qualname__", repr(handler))
    return f"{module}.{name}" if module else name
