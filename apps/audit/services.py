"""Writing the audit log.

`audit_log` is called by the service that makes a change, inside that service's
transaction, so the entry commits or rolls back with the change it records.

Appends are serialised: each one locks the chain head row (`SELECT ... FOR UPDATE`) and
the lock is held until the caller's transaction ends. That is what keeps the chain
linear under concurrent writers, and its price: two audited writes never commit at the
same time, so an audited service should keep the work after its audit call short (write
the audit row last, send email and call providers through `transaction.on_commit`).
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from typing import TYPE_CHECKING, Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from apps.core.http import client_ip
from apps.core.locks import lock_audit_chain_head

from .chain import GENESIS_HASH, entry_hash
from .models import HEAD_ID, USER_AGENT_MAX_LENGTH, AdminLog, AuditChainHead

if TYPE_CHECKING:
    from apps.users.models import User


class AuditChainError(RuntimeError):
    """The chain cannot be extended safely (its head is gone or a write did not verify)."""


def _clean_text(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL.
    return value.replace("\x00", "\ufffd")


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(key): _clean_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    return value


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    # Decimals, dates and UUIDs become strings, as DjangoJSONEncoder writes them.
    plain = json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))
    return json.dumps(_clean_json(plain))


def _valid_ip(value: str | None) -> str | None:
    """A valid address, written as Django stores it, or None (never an error)."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return None
        return clean_ipv6_address(str(address))
    return str(address)


def _as_stored(before: Any, after: Any, ip_address: str | None) -> tuple[Any, Any, str | None]:
    """The values exactly as the database will give them back, so the hash recomputes.

    On PostgreSQL they go through jsonb and inet, which rewrite some spellings (1e20 comes
    back as an integer, -0.0 as 0.0, 2001:DB8::0:1 as 2001:db8::1).
    """
    before_text, after_text, ip = _json_text(before), _json_text(after), _valid_ip(ip_address)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s::jsonb::text, %s::jsonb::text, %s::inet",
                [before_text, after_text, ip],
            )
            before_text, after_text, ip = cursor.fetchone()
    return (
        None if before_text is None else json.loads(before_text),
        None if after_text is None else json.loads(after_text),
        ip,
    )


def _lock_head() -> AuditChainHead:
    head: AuditChainHead | None = lock_audit_chain_head(HEAD_ID)
    if head is None:
        # A flushed database (tests, `manage.py flush`): start a new chain. ignore_conflicts
        # lets two writers race here; the second waits for the first and then locks its row.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(id=HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)],
            ignore_conflicts=True,
        )
        head = cast("AuditChainHead", lock_audit_chain_head(HEAD_ID))  # created just above
        if head.last_sequence == 0 and AdminLog.objects.exists():
            raise AuditChainError(
                "The audit chain head record is missing while entries exist; run "
                "`manage.py audit_verify` and repair it before writing more entries."
            )
    return head


def audit_log(
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> AdminLog:
    """Append one entry to the audit log, inside the caller's transaction.

    `actor` is the user who acted, or None for the system. The client's address and
    user agent come from `request` when given (explicit values win).
    """
    action = (action or "").strip()
    target_type = (target_type or "").strip()
    target_id = "" if target_id is None else str(target_id)
    if not action or len(action) > 100:
        raise ValueError("action must be 1 to 100 characters, like 'campaign.approve'.")
    if not target_type or len(target_type) > 100:
        raise ValueError("target_type must be 1 to 100 characters.")
    if len(target_id) > 255:
        raise ValueError("target_id must be at most 255 characters.")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # an anonymous request acts as nobody in particular

    if request is not None:
        ip_address = ip_address or client_ip(request)
        user_agent = user_agent or request.META.get("HTTP_USER_AGENT", "")

    entry = AdminLog(
        id=uuid.uuid4(),
        actor=actor,
        actor_email=(actor.email or "").lower() if actor is not None else "",
        action=_clean_text(action),
        target_type=_clean_text(target_type),
        target_id=_clean_text(target_id),
        user_agent=_clean_text(user_agent or "")[:USER_AGENT_MAX_LENGTH],
    )

    # A savepoint in the caller's transaction (never durable): the head lock below is
    # held until the caller commits, and a rollback removes the entry with the change.
    with transaction.atomic():
        entry.before, entry.after, entry.ip_address = _as_stored(before, after, ip_address)
        head = _lock_head()
        entry.sequence = head.last_sequence + 1
        entry.prev_hash = head.last_hash
        # The database keeps microseconds in UTC, as this value has.
        entry.created_at = timezone.now()
        entry.hash = entry_hash(entry)
        entry.save()

        stored = AdminLog.objects.get(pk=entry.pk)
        if entry_hash(stored) != entry.hash:
            raise AuditChainError(
                f"Audit entry {entry.sequence} does not hash the same after storing it."
            )

        head.last_sequence = entry.sequence
        head.last_hash = entry.hash
        head.save(update_fields=["last_sequence", "last_hash", "updated_at"])
    return entry
