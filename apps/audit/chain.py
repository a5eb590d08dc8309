"""The hash chain: how an entry's hash is computed, and how the whole chain is checked.

An entry's hash is SHA-256 over a canonical JSON serialisation of every content field,
its sequence number and the previous entry's hash. The values hashed are exactly the
values the database gives back (the service normalises them before hashing and re-reads
the row to make sure), so a later recomputation from stored rows gives the same hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .models import HEAD_ID, AdminLog, AuditChainHead

# prev_hash of the first entry.
GENESIS_HASH = "0" * 64


def format_timestamp(value: dt.datetime) -> str:
    """UTC ISO 8601 with microseconds always written: one spelling per instant."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_content(entry: AdminLog) -> str:
    content: dict[str, Any] = {
        "id": str(entry.id),
        "sequence": entry.sequence,
        "prev_hash": entry.prev_hash,
        "created_at": format_timestamp(entry.created_at),
        "actor_id": None if entry.actor_id is None else str(entry.actor_id),
        "actor_email": entry.actor_email,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
        "user_agent": entry.user_agent,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(entry: AdminLog) -> str:
    return hashlib.sha256(canonical_content(entry).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    entries: int = 0
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    # The first broken link, if any.
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _describe(entry: AdminLog) -> str:
    return f"entry sequence {entry.sequence} (id {entry.id}, {entry.action})"


def chain_verify(*, chunk_size: int = 2000, anchors: dict[int, str] | None = None) -> ChainReport:
    """Walk the chain in order and stop at the first broken link.

    `anchors` maps sequence numbers to hashes recorded outside the database (an earlier
    run's output); a rewrite of the chain from that point on is caught there.
    """
    anchors = dict(anchors or {})
    report = ChainReport()
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    entries = AdminLog.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    for entry in entries:
        if entry.sequence != expected_sequence:
            missing = (
                f"sequence {expected_sequence}"
                if entry.sequence == expected_sequence + 1
                else f"sequences {expected_sequence}..{entry.sequence - 1}"
            )
            report.problem = (
                f"{missing} missing: the chain jumps from {expected_sequence - 1} to "
                f"{_describe(entry)} (a deleted entry)"
            )
            return report
        if entry.prev_hash != previous_hash:
            report.problem = (
                f"{_describe(entry)}: prev_hash {entry.prev_hash} does not match the hash of "
                f"entry {entry.sequence - 1} ({previous_hash})"
                if entry.sequence > 1
                else f"{_describe(entry)}: prev_hash {entry.prev_hash} is not the genesis value"
            )
            return report
        recomputed = entry_hash(entry)
        if recomputed != entry.hash:
            report.problem = (
                f"{_describe(entry)}: content does not match its hash "
                f"(stored {entry.hash}, recomputed {recomputed})"
            )
            return report
        if entry.sequence in anchors and anchors.pop(entry.sequence) != entry.hash:
            report.problem = (
                f"{_describe(entry)}: hash {entry.hash} differs from the anchor recorded for it"
            )
            return report
        report.entries += 1
        report.last_sequence = entry.sequence
        report.last_hash = previous_hash = entry.hash
        expected_sequence += 1

    if anchors:
        report.problem = (
            f"anchored sequence {min(anchors)} is beyond the last entry "
            f"({report.last_sequence}): entries were removed"
        )
        return report

    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    if head is None:
        if report.entries:
            report.problem = (
                f"the chain head record is missing (last entry is sequence {report.last_sequence})"
            )
        return report
    if head.last_sequence != report.last_sequence or head.last_hash != report.last_hash:
        if head.last_sequence > report.last_sequence:
            report.problem = (
                f"the chain head records sequence {head.last_sequence} but the last entry is "
                f"sequence {report.last_sequence}: entries after it were deleted"
            )
        else:
            report.problem = (
                f"the chain head (sequence {head.last_sequence}, hash {head.last_hash}) does not "
                f"match the last entry (sequence {report.last_sequence}, hash {report.last_hash})"
            )
    return report
