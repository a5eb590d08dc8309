"""The double-entry ledger: accounts, transactions and their entries.

Sign convention: an entry's `amount` is signed, positive credits the account (money
flows into it), negative debits it (money flows out). An account's balance is the plain
sum of its entries, so the accounts the platform owes (a campaign's available and held
funds, platform fees and tips) read positive, and the Paystack clearing account, the
mirror of the outside world, reads negative: its magnitude is the money that came in
through Paystack and has not yet gone back out. The entries of every transaction sum to
zero per currency (`services.py` builds them so; on PostgreSQL a deferred constraint
trigger refuses any other commit, see migration 0002).

Entries and transactions are append-only: the model refuses `save()` of an existing row,
`delete()` and queryset `update()`/`delete()`; on PostgreSQL a trigger refuses UPDATE and
DELETE from any client.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q


class AccountKind(models.TextChoices):
    CAMPAIGN_AVAILABLE = "campaign_available"
    CAMPAIGN_HELD = "campaign_held"
    PLATFORM_FEES = "platform_fees"
    PLATFORM_TIPS = "platform_tips"
    PAYSTACK_CLEARING = "paystack_clearing"
    FX = "fx"


# Kinds owned by one campaign; every other kind is a platform account (campaign NULL).
CAMPAIGN_KINDS = (AccountKind.CAMPAIGN_AVAILABLE, AccountKind.CAMPAIGN_HELD)


class Account(models.Model):
    """One balance: per (campaign, kind, currency) for campaigns, per (kind, currency) else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    kind = models.CharField(max_length=32, choices=AccountKind.choices)
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    # Cached sum of the entries, changed only by a posting while the row is locked.
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "currency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "currency"],
                condition=Q(campaign__isnull=False),
                name="ledger_account_unique_campaign_kind_currency",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(campaign__isnull=True),
                name="ledger_account_unique_platform_kind_currency",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=CAMPAIGN_KINDS) & Q(campaign__isnull=False))
                | (~Q(kind__in=CAMPAIGN_KINDS) & Q(campaign__isnull=True)),
                name="ledger_account_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=CAMPAIGN_KINDS, balance__lt=0),
                name="ledger_account_campaign_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = f"campaign {self.campaign_id}" if self.campaign_id else "platform"
        return f"{self.kind} {self.currency_id} ({owner})"


class TransactionKind(models.TextChoices):
    DONATION_SUCCEEDED = "donation_succeeded"
    HOLD = "hold"
    RELEASE = "release"
    TRANSFER_SUCCEEDED = "transfer_succeeded"
    TRANSFER_REVERSED = "transfer_reversed"
    REFUND = "refund"


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes: history is corrected by a new posting, never by editing."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} rows are append-only; post a new transaction.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are append-only; post a new transaction.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only; post a new transaction.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} rows are append-only; post a new transaction.")


class LedgerTransaction(AppendOnlyModel):
    """One event's posting. `reference` names the event, so it can never post twice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=TransactionKind.choices)
    reference = models.CharField(max_length=200, unique=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_transactions",
    )
    # The change this posting made to the campaign's raised_amount, in its currency:
    # +gift for a donation, -gift for a refund, 0 otherwise. ledger_check sums it.
    raised_delta = models.BigIntegerField(default=0)
    memo = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class Entry(AppendOnlyModel):
    """One signed amount on one account; positive credits it, negative debits it."""

    id = models.BigAutoField(primary_key=True)
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    # Copied from the account so the per-currency balance check needs no join.
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.currency_id} on {self.account_id}"
