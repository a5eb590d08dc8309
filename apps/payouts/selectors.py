"""Staff reads of withdrawals."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from apps.core.errors import NotFound
from apps.withdrawals.models import Withdrawal


def payouts_list(
    *, status: str | None = None, needs_review: bool | None = None
) -> QuerySet[Withdrawal]:
    withdrawals = Withdrawal.objects.select_related(
        "campaign", "bank_account", "requested_by", "reviewed_by"
    ).order_by("created_at")
    if status:
        withdrawals = withdrawals.filter(status=status)
    if needs_review is not None:
        withdrawals = withdrawals.filter(needs_review=needs_review)
    return withdrawals


def payout_get(withdrawal_id: Any) -> Withdrawal:
    try:
        pk = uuid.UUID(str(withdrawal_id))
    except ValueError:
        raise NotFound("No such withdrawal.") from None
    withdrawal = payouts_list().filter(pk=pk).first()
    if withdrawal is None:
        raise NotFound("No such withdrawal.")
    return withdrawal
