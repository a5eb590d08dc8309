"""`Idempotency-Key` for money-moving POSTs.

A key is scoped to one endpoint. The first request with a key inserts the key row
before any work (the unique index on (scope, key) decides who is first, even when the
requests arrive at once), then stores its answer. Later requests with the key:

* the same body (and the same signed-in user): the stored answer, same status and body,
  with `Idempotent-Replayed: true`; nothing runs again;
* another body: 409 `idempotency_key_reused`;
* while the first is still running: 409 `idempotency_key_in_progress` (retry shortly).

Only successful answers are stored: a request that fails (bad input, the payment
provider down) deletes its key, so the client can retry with the same key. A key whose
request died mid-way is taken over once its lease (`LEASE`) has passed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import Conflict, InvalidInput
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
# Longer than the slowest Paystack call (its deadline is 25 s) plus our own work.
LEASE = timedelta(seconds=90)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: Any


def idempotency_request_hash(*, data: Any, user_id: Any = None) -> str:
    """The fingerprint of a request: its parsed body and who sent it."""
    canonical = json.dumps(
        {"data": data, "user": str(user_id) if user_id else None},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_key(key: str) -> str:
    if not _KEY.match(key or ""):
        message = "Must be 1 to 255 printable ASCII characters without spaces."
        raise InvalidInput(
            f"{HEADER}: {message}", code="invalid_idempotency_key", fields={HEADER: [message]}
        )
    return key


def idempotency_begin(*, scope: str, key: str, request_hash: str) -> IdempotencyKey | StoredAnswer:
    """Claim `key` for this request (the row to complete or release later), or the answer
    stored by the first request with it. Raises Conflict as described above."""
    key = _check_key(key)
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                scope=scope, key=key, request_hash=request_hash, locked_until=now + LEASE
            )
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if existing is None:  # released by its request just now: take it
        return idempotency_begin(scope=scope, key=key, request_hash=request_hash)
    if existing.request_hash != request_hash:
        raise Conflict(
            f"This {HEADER} was already used with a different request. Use a new key for a "
            "new request.",
            code="idempotency_key_reused",
        )
    if existing.response_status is not None:
        return StoredAnswer(status=existing.response_status, body=existing.response_body)
    if existing.locked_until > now:
        raise Conflict(
            f"A request with this {HEADER} is still being processed; retry in a few seconds.",
            code="idempotency_key_in_progress",
        )
    taken = IdempotencyKey.objects.filter(
        pk=existing.pk, response_status__isnull=True, locked_until=existing.locked_until
    ).update(locked_until=now + LEASE, updated_at=now)
    if not taken:
        raise Conflict(
            f"A request with this {HEADER} is still being processed; retry in a few seconds.",
            code="idempotency_key_in_progress",
        )
    existing.refresh_from_db()
    return existing


def idempotency_complete(*, record: IdempotencyKey, status: int, body: Any) -> None:
    """Keep the answer, for every later request with the same key and body."""
    now = timezone.now()
    IdempotencyKey.objects.filter(pk=record.pk).update(
        response_status=status, response_body=body, completed_at=now, updated_at=now
    )


def idempotency_release(*, record: IdempotencyKey) -> None:
    """The request failed: forget the key so that it can be retried."""
    IdempotencyKey.objects.filter(pk=record.pk, response_status__isnull=True).delete()


def idempotency_keys_purge() -> int:
    """Drop keys older than IDEMPOTENCY_TTL_HOURS; how many went."""
    hours = settings.IDEMPOTENCY_TTL_HOURS
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=hours)
    ).delete()
    return deleted


def idempotent_response(request: Any, *, scope: str, handler: Callable[[], Any]) -> Any:
    """Run `handler` (it returns a DRF Response) under the request's `Idempotency-Key`,
    if it sent one: a repeat with the same key and body gets the stored answer with
    `Idempotent-Replayed: true`; a failure frees the key for a retry."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    user = getattr(request, "user", None)
    record = idempotency_begin(
        scope=scope,
        key=key,
        request_hash=idempotency_request_hash(
            data=request.data,
            user_id=user.pk if user is not None and user.is_authenticated else None,
        ),
    )
    if isinstance(record, StoredAnswer):
        from rest_framework.response import Response

        response = Response(record.body, status=record.status)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        response = handler()
    except BaseException:
        idempotency_release(record=record)
        raise
    idempotency_complete(record=record, status=response.status_code, body=response.data)
    return response
