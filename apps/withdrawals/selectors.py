"""Reads: banks (cached), own bank accounts and withdrawals, a campaign's money."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import QuerySet, Sum

from apps.core.errors import InvalidInput, NotFound, UpstreamError
from apps.ledger.models import AccountKind, Entry, TransactionKind
from apps.payments.paystack import PaystackError, get_paystack_client

from .models import BankAccount, Withdrawal, WithdrawalEvent

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger(__name__)

BANKS_CACHE_SECONDS = 24 * 60 * 60
BANK_CURRENCIES = ("NGN", "GHS", "KES", "ZAR")


def banks_list(*, currency: str = "NGN") -> list[dict[str, Any]]:
    """Paystack's banks for a currency, cached for a day (one key per known currency)."""
    currency = (currency or "NGN").strip().upper()
    if currency not in BANK_CURRENCIES:
        raise InvalidInput(
            f"currency: Banks are listed for {', '.join(BANK_CURRENCIES)}.",
            fields={"currency": [f"One of {', '.join(BANK_CURRENCIES)}."]},
        )
    key = f"withdrawals:banks:{currency}"
    banks = cache.get(key)
    if banks is None:
        try:
            found = get_paystack_client().list_banks(currency=currency)
        except PaystackError as exc:
            raise UpstreamError(
                "The bank list is not available just now; please try again shortly.",
                code="paystack_unavailable",
            ) from exc
        banks = [
            {"name": b.name, "code": b.code, "slug": b.slug, "currency": b.currency or currency}
            for b in found
            if b.active
        ]
        cache.set(key, banks, BANKS_CACHE_SECONDS)
    return list(banks)


def bank_accounts_of(owner: User) -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(owner=owner, is_active=True).order_by("-created_at")


def withdrawals_of(owner: User) -> QuerySet[Withdrawal]:
    return (
        Withdrawal.objects.filter(requested_by=owner)
        .select_related("campaign", "bank_account")
        .order_by("-created_at")
    )


def withdrawal_get_own(*, owner: User, withdrawal_id: Any) -> Withdrawal:
    try:
        pk = uuid.UUID(str(withdrawal_id))
    except ValueError:
        raise NotFound("No withdrawal of yours has this id.") from None
    withdrawal = withdrawals_of(owner).filter(pk=pk).first()
    if withdrawal is None:
        raise NotFound("No withdrawal of yours has this id.")
    return withdrawal


def withdrawal_timelines(withdrawal_ids: Iterable[Any]) -> dict[Any, list[WithdrawalEvent]]:
    """Each withdrawal's events, oldest first, in one query."""
    timelines: dict[Any, list[WithdrawalEvent]] = {}
    events = (
        WithdrawalEvent.objects.filter(withdrawal_id__in=list(withdrawal_ids))
        .select_related("actor")
        .order_by("withdrawal_id", "id")
    )
    for event in events:
        timelines.setdefault(event.withdrawal_id, []).append(event)
    return timelines


def campaign_money(campaigns: Iterable[Any]) -> dict[Any, dict[str, int]]:
    """Per campaign, from the ledger: raised, held (withdrawals waiting or in flight), paid
    out (transfers that reached the bank) and available (what can be withdrawn now)."""
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    money: dict[Any, dict[str, int]] = {
        c.pk: {"raised": c.raised_amount, "held": 0, "paid_out": 0, "available": 0}
        for c in campaigns
    }
    from apps.ledger.models import Account

    for campaign_id, kind, balance in Account.objects.filter(
        campaign_id__in=ids, kind__in=[AccountKind.CAMPAIGN_AVAILABLE, AccountKind.CAMPAIGN_HELD]
    ).values_list("campaign_id", "kind", "balance"):
        field = "available" if kind == AccountKind.CAMPAIGN_AVAILABLE else "held"
        money[campaign_id][field] += balance
    paid = (
        Entry.objects.filter(
            account__campaign_id__in=ids,
            account__kind=AccountKind.CAMPAIGN_HELD,
            transaction__kind=TransactionKind.TRANSFER_SUCCEEDED,
        )
        .values_list("account__campaign_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for campaign_id, total in paid:
        money[campaign_id]["paid_out"] += -int(total or 0)
    reversed_ = (
        Entry.objects.filter(
            account__campaign_id__in=ids,
            account__kind=AccountKind.CAMPAIGN_AVAILABLE,
            transaction__kind=TransactionKind.TRANSFER_REVERSED,
        )
        .values_list("account__campaign_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for campaign_id, total in reversed_:
        money[campaign_id]["paid_out"] -= int(total or 0)
    return money
