"""Ledger reads: balances, and the full invariant check behind `manage.py ledger_check`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Coalesce

from apps.campaigns.models import Campaign
from apps.currency.models import Currency

from .models import CAMPAIGN_KINDS, Account, AccountKind, Entry, LedgerTransaction


def account_balance(
    *, kind: str, currency: Currency | str, campaign: Campaign | None = None
) -> int:
    """The cached balance of one account; 0 for an account nothing has posted to yet."""
    code = currency.code if isinstance(currency, Currency) else currency
    account = Account.objects.filter(
        kind=kind,
        currency_id=code,
        # campaign_id=None is IS NULL; the plugin only allows a UUID here.
        campaign_id=campaign.pk if campaign else None,  # type: ignore[misc]
    ).first()
    return account.balance if account else 0


def campaign_balances(campaign: Campaign) -> dict[str, int | str]:
    """What the organiser can withdraw (`available`) and what is on hold for payouts."""
    balances = dict(
        Account.objects.filter(campaign_id=campaign.pk, currency_id=campaign.currency_id)
        .values_list("kind", "balance")
        .order_by()
    )
    return {
        "available": balances.get(AccountKind.CAMPAIGN_AVAILABLE, 0),
        "held": balances.get(AccountKind.CAMPAIGN_HELD, 0),
        "currency": campaign.currency_id,
    }


@dataclass
class LedgerReport:
    accounts: int = 0
    transactions: int = 0
    entries: int = 0
    campaigns: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify() -> LedgerReport:
    """Recompute everything the ledger caches or promises and list every difference.

    For a consistent picture run it in one transaction (REPEATABLE READ on PostgreSQL is
    best while postings are flowing; `ledger_check` does so).
    """
    report = LedgerReport(
        accounts=Account.objects.count(),
        transactions=LedgerTransaction.objects.count(),
        entries=Entry.objects.count(),
        campaigns=Campaign.objects.count(),
    )
    problems = report.problems

    accounts = Account.objects.annotate(
        recomputed=Coalesce(Sum("entries__amount"), 0, output_field=BigIntegerField())
    ).order_by("kind", "currency_id", "campaign_id")
    for account in accounts.iterator():
        if account.balance != account.recomputed:
            problems.append(
                f"account {account.pk} ({account}): cached balance {account.balance} "
                f"!= {account.recomputed} from its entries"
            )
        if account.kind in CAMPAIGN_KINDS and min(account.balance, account.recomputed) < 0:
            problems.append(
                f"account {account.pk} ({account}): negative campaign balance "
                f"(cached {account.balance}, from entries {account.recomputed})"
            )

    for other in Account.objects.filter(campaign__isnull=False).exclude(
        currency_id=F("campaign__currency_id")
    ):
        problems.append(
            f"account {other.pk} ({other}): not in its campaign's currency "
            f"{other.campaign.currency_id}"  # type: ignore[union-attr]  # campaign__isnull=False
        )

    for entry in Entry.objects.exclude(currency_id=F("account__currency_id")).select_related(
        "account"
    ):
        problems.append(
            f"entry {entry.pk} of transaction {entry.transaction_id}: currency "
            f"{entry.currency_id} on an account kept in {entry.account.currency_id}"
        )

    unbalanced = (
        Entry.objects.values("transaction_id", "transaction__reference", "currency_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction__reference", "currency_id")
    )
    for row in unbalanced:
        problems.append(
            f"transaction {row['transaction_id']} ({row['transaction__reference']}): "
            f"{row['currency_id']} entries sum to {row['total']}, not 0"
        )
    for posted in LedgerTransaction.objects.filter(entries__isnull=True).order_by("reference"):
        problems.append(f"transaction {posted.pk} ({posted.reference}): has no entries")

    campaigns = (
        Campaign.objects.annotate(
            posted=Coalesce(
                Sum("ledger_transactions__raised_delta"), 0, output_field=BigIntegerField()
            )
        )
        .exclude(raised_amount=F("posted"))
        .order_by("slug")
    )
    for campaign in campaigns:
        problems.append(
            f"campaign {campaign.pk} ({campaign.slug}): raised_amount {campaign.raised_amount} "
            f"!= {campaign.posted} posted to the ledger"
        )
    return report
