"""The timeline every money object keeps (`DonationEvent`, `WithdrawalEvent`): one row per
status change, review flag, refund or transfer step, written in the transaction of the
change and never altered. The apps keep their own event models; this is the one way an
entry is written and a status is moved."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone

SOURCE_MAX = 20


def timeline_entry_build(
    event_model: type[Model],
    *,
    owner_field: str,
    owner: Any,
    type: str,
    source: str = "",
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> Any:
    """One entry for `owner`, not saved yet: a batch saves many with one bulk_create
    (in the order built, which is the timeline's order)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return event_model(
        **{f"{owner_field}_id": getattr(owner, "pk", owner)},
        type=type,
        source=source[:SOURCE_MAX],
        actor=actor,
        data=data or {},
    )


def timeline_entry(
    event_model: type[Model],
    *,
    owner_field: str,
    owner: Any,
    type: str,
    source: str = "",
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> Any:
    """Add one entry for `owner` (an instance or its pk). An anonymous actor is none."""
    entry = timeline_entry_build(
        event_model,
        owner_field=owner_field,
        owner=owner,
        type=type,
        source=source,
        actor=actor,
        data=data,
    )
    entry.save(force_insert=True)
    return entry


def timeline_status_change(
    event_model: type[Model],
    owner_field: str,
    obj: Any,
    *,
    to: str,
    type: str,
    source: str = "",
    actor: Any = None,
    built: list[Any] | None = None,
    **data: Any,
) -> list[str]:
    """Move a locked object to status `to`, with its timeline entry ({from, to, ...});
    the fields for the caller to save. With `built` (a list), the entry is appended to
    it unsaved instead, for the caller to bulk_create."""
    previous = obj.status
    obj.status = to
    obj.status_changed_at = timezone.now()
    (built.append if built is not None else _save)(
        timeline_entry_build(
            event_model,
            owner_field=owner_field,
            owner=obj,
            type=type,
            source=source,
            actor=actor,
            data={"from": previous, "to": to, **data},
        )
    )
    return ["status", "status_changed_at", "updated_at"]


def _save(entry: Any) -> None:
    entry.save(force_insert=True)
