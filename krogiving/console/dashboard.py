"""The console's home: what is waiting for staff and how donations are going.

Selectors over several apps, so they live in the project package (the composition root
may read every app; no app may read all of these). Each block is computed only for staff
whose permissions let them see the pages it links to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.currency.money import format_money

CHART_DAYS = 30
LIST_LIMIT = 5


@dataclass(frozen=True)
class MoneyTotal:
    """How many, and how much, in one currency."""

    currency: str
    count: int
    amount: int

    @property
    def formatted(self) -> str:
        return format_money(self.amount, self.currency)


@dataclass
class DayTotal:
    day: date
    count: int = 0
    by_currency: dict[str, MoneyTotal] = field(default_factory=dict)


def _totals(rows: Any) -> list[MoneyTotal]:
    """Rows of {currency, count, amount} as MoneyTotals, by currency code."""
    return sorted(
        (MoneyTotal(row["currency"], row["count"], row["amount"] or 0) for row in rows),
        key=lambda t: t.currency,
    )


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _received() -> Any:
    """Donations confirmed by Paystack (refunded later or not), by when they were paid."""
    from apps.donations.models import Donation, DonationStatus

    return Donation.objects.filter(
        status__in=[DonationStatus.SUCCEEDED, DonationStatus.REFUNDED], paid_at__isnull=False
    )


def campaigns_awaiting_review(*, limit: int = LIST_LIMIT) -> tuple[int, list[Any]]:
    """How many campaigns wait for review, and the longest-waiting few."""
    from apps.campaigns.models import Campaign, CampaignStatus

    waiting = Campaign.objects.filter(status=CampaignStatus.PENDING_REVIEW)
    oldest = waiting.select_related("organizer").order_by("submitted_at", "pk")[:limit]
    return waiting.count(), list(oldest)


def donations_flagged(*, limit: int = LIST_LIMIT) -> tuple[int, list[Any]]:
    """Donations flagged for staff review (needs_review), newest first."""
    from apps.donations.models import Donation

    flagged = Donation.objects.filter(needs_review=True)
    newest = flagged.select_related("campaign").order_by("-created_at", "-pk")[:limit]
    return flagged.count(), list(newest)


def payout_queue() -> dict[str, list[MoneyTotal]]:
    """Withdrawals waiting for approval and approved ones not yet sent, per currency."""
    from apps.withdrawals.models import Withdrawal, WithdrawalStatus

    queue: dict[str, list[MoneyTotal]] = {}
    for status in (WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED):
        rows = (
            Withdrawal.objects.filter(status=status)
            .order_by()
            .values("currency")
            .annotate(count=Count("pk"), amount=Sum("amount"))
        )
        queue[str(status)] = _totals(rows)
    return queue


def donations_received_since(since: datetime) -> list[MoneyTotal]:
    """Donations paid since `since`: count and gift amount per currency."""
    rows = (
        _received()
        .filter(paid_at__gte=since)
        .order_by()
        .values("currency")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    )
    return _totals(rows)


def donations_daily(*, days: int = CHART_DAYS, today: date | None = None) -> list[DayTotal]:
    """One entry per day of the last `days` days (today included, in the site's time
    zone), oldest first, days without donations included."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    by_day = {first + timedelta(days=n): DayTotal(first + timedelta(days=n)) for n in range(days)}
    rows = (
        _received()
        .filter(paid_at__gte=_start_of_day(first), paid_at__lt=_start_of_day(today + timedelta(1)))
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day", "currency")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    )
    for row in rows:
        entry = by_day.get(row["day"])
        if entry is None:
            continue
        entry.count += row["count"]
        entry.by_currency[row["currency"]] = MoneyTotal(
            row["currency"], row["count"], row["amount"] or 0
        )
    return [by_day[day] for day in sorted(by_day)]


def dashboard_for(user: Any) -> dict[str, Any]:
    """The blocks of the dashboard this staff member may see."""
    from .chart import daily_donations_svg

    blocks: dict[str, Any] = {}
    if user.has_perm("campaigns.view_campaign"):
        count, oldest = campaigns_awaiting_review()
        blocks["review"] = {"count": count, "items": oldest}
    if user.has_perm("donations.view_donation"):
        count, newest = donations_flagged()
        today = timezone.localdate()
        days = donations_daily(today=today)
        blocks["flagged"] = {"count": count, "items": newest}
        today_totals = {t.currency: t for t in donations_received_since(_start_of_day(today))}
        window = donations_received_since(_start_of_day(today - timedelta(CHART_DAYS - 1)))
        blocks["donations"] = {
            # Today lies inside the window, so every currency of today has a row.
            "rows": [
                {"today": today_totals.get(t.currency, MoneyTotal(t.currency, 0, 0)), "window": t}
                for t in window
            ],
            "days": CHART_DAYS,
            "chart": daily_donations_svg(days),
        }
    if user.has_perm("withdrawals.view_withdrawal"):
        queue = payout_queue()
        blocks["payouts"] = {
            "requested": queue["requested"],
            "approved": queue["approved"],
            "count": sum(t.count for totals in queue.values() for t in totals),
        }
    return blocks
