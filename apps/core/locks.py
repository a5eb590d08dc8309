"""Row locks, all in one place and in one global order.

Every service that reads a row to decide a write locks it here, inside its transaction.
Two transactions that lock rows in the same order cannot deadlock, so every code path
takes its locks in this order (skipping what it does not need), never backwards:

    donation -> refund -> withdrawal -> campaign -> campaign's own rows (media, slug,
    comment, donor aggregate) -> ledger accounts -> audit chain head (always last)

Rows of one kind are locked in primary-key order. `LOCK_ORDER` names the kinds; the
lock-order test takes every pair in this order from two threads on PostgreSQL.

Outside that chain, rows a transaction takes on their own (never together with the
money rows above, and so never in a cycle with them): a user row, then that user's
authenticator devices (`lock_user`, `lock_totp_devices`); platform settings, currency
and exchange-rate rows, the webhook event store and the sandbox's rows, each locked in
its own service and followed at most by the audit chain head.

Models are looked up by label, not imported: core sits below the domain apps and must
not import them. On SQLite (`make run`) SELECT ... FOR UPDATE does not exist; there the
database's single writer lock serialises writers instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import QuerySet

LOCK_ORDER = (
    "donation",
    "refund",
    "withdrawal",
    "campaign",
    "campaign_child",
    "ledger_account",
    "audit_chain_head",
)


def _for_update(label: str) -> QuerySet[Any]:
    """`select_for_update(of=("self",))` on the model named by `app_label.Model`."""
    return apps.get_model(label).objects.select_for_update(of=("self",))


def _one(label: str, pk: Any) -> Any:
    """The locked row; DoesNotExist when there is none."""
    return _for_update(label).get(pk=pk)


def _many(label: str, **filters: Any) -> list[Any]:
    return list(_for_update(label).filter(**filters).order_by("pk"))


# --- in the global order -------------------------------------------------------------------


def lock_donation(pk: Any) -> Any:
    return _one("donations.Donation", pk)


def lock_donations(pks: Iterable[Any]) -> dict[Any, Any]:
    """Donations by primary key, locked in one query in primary-key order (a batched
    settlement); the donor is fetched with them."""
    rows = _for_update("donations.Donation").select_related("donor").filter(pk__in=list(pks))
    return {row.pk: row for row in rows.order_by("pk")}


def lock_donations_awaiting_organizer_notice(*, campaign_id: Any, limit: int) -> list[Any]:
    """A campaign's donations whose organiser has not been told of them yet (the coalesced
    notice), locked in primary-key order; rows another transaction holds (a settlement, a
    refund) are skipped, not waited for: the next notice takes them."""
    rows = (
        apps.get_model("donations.Donation")
        .objects.select_for_update(of=("self",), skip_locked=True)
        .filter(campaign_id=campaign_id, organizer_notice_pending=True)
        .order_by("pk")
    )
    return list(rows[:limit])


def lock_refunds(*, donation_id: Any) -> list[Any]:
    """Every refund of one donation, in primary-key order."""
    return _many("donations.DonationRefund", donation_id=donation_id)


def lock_refund(pk: Any) -> Any:
    return _one("donations.DonationRefund", pk)


def lock_withdrawal(pk: Any) -> Any:
    return _one("withdrawals.Withdrawal", pk)


def lock_withdrawals(pks: Iterable[Any]) -> list[Any]:
    return _many("withdrawals.Withdrawal", pk__in=list(pks))


def lock_campaign(pk: Any) -> Any:
    return _one("campaigns.Campaign", pk)


def lock_campaigns(pks: Iterable[Any]) -> dict[Any, Any]:
    """Campaigns by primary key, locked in one query in primary-key order."""
    return {row.pk: row for row in _many("campaigns.Campaign", pk__in=list(pks))}


def lock_campaign_media(pk: Any) -> Any | None:
    return _for_update("campaigns.CampaignMedia").filter(pk=pk).first()


def lock_campaign_media_all(*, campaign_id: Any) -> list[Any]:
    """Every media row of one campaign, in primary-key order."""
    return _many("campaigns.CampaignMedia", campaign_id=campaign_id)


def lock_campaign_media_if_free(pk: Any, **filters: Any) -> Any | None:
    """The media row if nobody holds it (a sweeping job skips a row in use), else None."""
    return (
        apps.get_model("campaigns.CampaignMedia")
        .objects.select_for_update(skip_locked=True)
        .filter(pk=pk, **filters)
        .first()
    )


def lock_campaign_slug(slug: str) -> Any | None:
    return _for_update("campaigns.CampaignSlug").filter(slug=slug).first()


def lock_comment(pk: Any) -> Any:
    return _one("campaigns.Comment", pk)


def lock_donor_aggregate(*, campaign_id: Any, donor_key: str) -> Any | None:
    return (
        _for_update("donations.DonorAggregate")
        .filter(campaign_id=campaign_id, donor_key=donor_key)
        .first()
    )


def lock_donor_aggregates(*, campaign_ids: Iterable[Any], donor_keys: Iterable[str]) -> list[Any]:
    """The donor aggregate rows of these campaigns with these keys, locked in primary-key
    order (a batched settlement; the campaigns are locked already)."""
    return _many(
        "donations.DonorAggregate",
        campaign_id__in=list(campaign_ids),
        donor_key__in=list(donor_keys),
    )


def lock_accounts(pks: Iterable[Any]) -> dict[Any, Any]:
    """Ledger accounts by primary key, locked in primary-key order."""
    return {account.pk: account for account in _many("ledger.Account", pk__in=list(pks))}


def lock_audit_chain_head(pk: Any) -> Any | None:
    """The audit chain's head row, always the last lock a transaction takes."""
    if not connection.features.has_select_for_update:
        # SQLite: take the database's write lock now, before reading the head, so that a
        # second writer waits here instead of failing when it tries to write later.
        apps.get_model("audit.AuditChainHead").objects.filter(pk=pk).update(id=pk)
    return apps.get_model("audit.AuditChainHead").objects.select_for_update().filter(pk=pk).first()


# --- outside the money chain -----------------------------------------------------------------


def lock_user(pk: Any) -> Any:
    return apps.get_model("users.User").objects.select_for_update().get(pk=pk)


def lock_totp_devices(*, user_id: Any, **filters: Any) -> list[Any]:
    """A staff member's authenticator devices (confirmed ones unless told), in pk order:
    two requests racing with one code cannot both pass django-otp's last-used check."""
    filters.setdefault("confirmed", True)
    return list(
        apps.get_model("otp_totp.TOTPDevice")
        .objects.select_for_update()
        .filter(user_id=user_id, **filters)
        .order_by("pk")
    )
