"""Ledger postings: the only code that writes accounts, transactions and entries.

Transactions: each posting runs in `transaction.atomic()` and is meant to be called
inside the money-moving service that owns the outer (durable) transaction: the donation
settlement, the withdrawal request, the payout. It is not durable itself, so a refusal
here (InsufficientFunds, say) rolls back only the posting's savepoint, and the caller
decides whether to roll back the rest. Called on its own, the posting is its own
transaction.

Idempotency: every posting takes the `reference` of the event it records
(`donation:<id>:succeeded`, `withdrawal:<id>:held`, ...). Posting a reference again is a
no-op that returns the first transaction, even when two requests race: the reference is
unique in the database, the loser's insert waits for the winner's commit, fails, and
returns the winner's row. A reference reused for a different kind of posting or another
campaign is refused (Conflict): that is a bug in the caller, not a replay.

Locking, one fixed order everywhere: the campaign row first (SELECT ... FOR UPDATE),
then the transaction's reference (unique insert), then the accounts, got-or-created in
(kind, campaign, currency) order and locked in one query ordered by primary key.
Balances are checked against the locked rows and changed with F() in the same
transaction. Callers that lock rows of their own (donation, withdrawal) lock them before
calling a posting, and lock the campaign, if they do, before anything of the ledger.

Amounts are integers in minor units. Donation terms, all in the campaign's currency
except `charged_amount`:

- gift: what the donor gives to the cause; it is what `raised_amount` counts.
- fee: the platform fee on the gift.
- tip: what the donor adds for the platform.
- net_to_campaign: what the campaign's available balance receives. When the donor does
  not cover the fee, the fee comes out of the gift: net + fee == gift. When the donor
  covers it, the fee comes on top: net == gift. Either way the campaign-currency total
  is net + fee + tip, and in the same-currency case that is exactly `charged_amount`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.core.errors import Conflict, InvalidInput
from apps.core.locks import lock_accounts, lock_campaigns
from apps.currency.models import Currency

from .models import CAMPAIGN_KINDS, Account, AccountKind, Entry, LedgerTransaction, TransactionKind

REFERENCE_MAX_LENGTH = cast(int, LedgerTransaction._meta.get_field("reference").max_length)


class InsufficientFunds(Conflict):
    """A posting would take a campaign's available (or held) balance below zero."""

    code = "insufficient_funds"


@dataclass(frozen=True)
class _Line:
    kind: str
    currency: str
    amount: int
    campaign_id: UUID | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, str(self.campaign_id or ""), self.currency)


# --- validation -------------------------------------------------------------------------


def _amount(name: str, value: object, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"{name}: must be an integer number of minor units.",
            fields={name: ["Must be an integer number of minor units."]},
        )
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise InvalidInput(f"{name}: must be {bound}.", fields={name: [f"Must be {bound}."]})
    return value


def _reference(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("reference: is required.", fields={"reference": ["Required."]})
    if len(value) > REFERENCE_MAX_LENGTH:
        message = f"At most {REFERENCE_MAX_LENGTH} characters."
        raise InvalidInput(f"reference: {message}", fields={"reference": [message]})
    return value


def _currency_code(name: str, value: Currency | str) -> str:
    code = value.code if isinstance(value, Currency) else value
    if not isinstance(code, str) or not Currency.objects.filter(code=code).exists():
        raise InvalidInput(
            f"{name}: {code!r} is not a known currency.",
            fields={name: ["Not a known currency."]},
        )
    return code


def _rate(value: Decimal | str | None) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0:
        raise InvalidInput(
            "fx_rate: a positive exchange rate is required when the charged currency is "
            "not the campaign's.",
            fields={"fx_rate": ["A positive rate is required for a cross-currency donation."]},
        )
    return rate


# --- the one posting routine --------------------------------------------------------------


def _existing(reference: str, *, kind: str, campaign_id: UUID | None) -> LedgerTransaction | None:
    found = LedgerTransaction.objects.filter(reference=reference).first()
    if found is not None and (found.kind != kind or found.campaign_id != campaign_id):
        raise Conflict(
            f"The ledger reference {reference!r} was already used for a {found.kind} posting "
            f"of another campaign or kind.",
            code="ledger_reference_conflict",
        )
    return found


def _insufficient(account: Account, needed: int) -> InsufficientFunds:
    what = "available" if account.kind == AccountKind.CAMPAIGN_AVAILABLE else "held"
    return InsufficientFunds(
        f"Insufficient funds: the campaign's {what} balance is {account.balance} "
        f"{account.currency_id} minor units, {needed} needed.",
        extra={what: account.balance, "currency": account.currency_id, "needed": needed},
    )


@dataclass(frozen=True)
class _Posting:
    reference: str
    kind: str
    campaign: Campaign
    lines: list[_Line]
    raised_delta: int = 0
    memo: dict[str, Any] | None = None


def _post(
    *,
    reference: str,
    kind: str,
    campaign: Campaign,
    lines: list[_Line],
    raised_delta: int = 0,
    memo: dict[str, Any] | None = None,
) -> LedgerTransaction:
    """Record one balanced transaction, once per reference. See the module docstring."""
    return _post_many([_Posting(reference, kind, campaign, lines, raised_delta, memo)])[0]


def _post_many(postings: list[_Posting]) -> list[LedgerTransaction]:
    """Record balanced transactions, each once per reference, in one go: the campaigns
    locked in primary-key order, the references inserted in one statement, the accounts
    locked in one query, the entries inserted in one statement, each account and each
    campaign changed once by the sum of its deltas. A batched settlement posts many
    donations of one (hot) campaign this way; one posting is a batch of one.

    Returns each posting's transaction, in order: the first one for a reference posted
    before (or earlier in this batch)."""
    postings = [
        _Posting(
            p.reference,
            p.kind,
            p.campaign,
            [x for x in p.lines if x.amount != 0],
            p.raised_delta,
            p.memo,
        )
        for p in postings
    ]
    for posting in postings:
        totals: dict[str, int] = defaultdict(int)
        for line in posting.lines:
            totals[line.currency] += line.amount
        if not posting.lines or any(totals.values()):
            # Our own arithmetic is wrong; the database trigger would refuse it at commit.
            raise RuntimeError(f"unbalanced ledger posting {posting.reference}: {dict(totals)}")

    results: dict[str, LedgerTransaction] = {}
    _find_existing(postings, results)
    if all(p.reference in results for p in postings):
        return [results[p.reference] for p in postings]

    with transaction.atomic():
        locked_campaigns = lock_campaigns({p.campaign.pk for p in postings})
        while True:
            todo: dict[str, _Posting] = {}
            for posting in postings:
                if posting.reference not in results:
                    todo.setdefault(posting.reference, posting)
            if not todo:
                break
            new = [
                LedgerTransaction(
                    reference=p.reference,
                    kind=p.kind,
                    campaign=locked_campaigns[p.campaign.pk],
                    raised_delta=p.raised_delta,
                    memo=p.memo or {},
                )
                for p in todo.values()
            ]
            try:
                with transaction.atomic():
                    LedgerTransaction.objects.bulk_create(new)
            except IntegrityError:
                # Another request posted one of these references first and has committed:
                # it is a replay now; post the rest.
                if not _find_existing(list(todo.values()), results):
                    raise
                continue
            for posted in new:
                results[posted.reference] = posted
            _apply(list(todo.values()), {t.reference: t for t in new}, locked_campaigns)
            break
    return [results[p.reference] for p in postings]


def _find_existing(postings: list[_Posting], results: dict[str, LedgerTransaction]) -> int:
    """Put the transactions already posted for these references in `results` (refusing a
    reference used for another kind or campaign); how many were found."""
    wanted = {p.reference: p for p in postings if p.reference not in results}
    found = 0
    for existing in LedgerTransaction.objects.filter(reference__in=list(wanted)):
        posting = wanted[existing.reference]
        if existing.kind != posting.kind or existing.campaign_id != posting.campaign.pk:
            raise Conflict(
                f"The ledger reference {existing.reference!r} was already used for a "
                f"{existing.kind} posting of another campaign or kind.",
                code="ledger_reference_conflict",
            )
        results[existing.reference] = existing
        found += 1
    return found


def _apply(
    postings: list[_Posting],
    posted: dict[str, LedgerTransaction],
    locked_campaigns: dict[Any, Campaign],
) -> None:
    """The entries and balances of freshly inserted transactions (inside _post_many)."""
    keys = sorted({line.key for p in postings for line in p.lines})
    by_key: dict[tuple[str, str, str], Account] = {}
    wanted = set(keys)
    for account in Account.objects.filter(
        kind__in={k[0] for k in keys}, currency_id__in={k[2] for k in keys}
    ).filter(Q(campaign__isnull=True) | Q(campaign_id__in={p.campaign.pk for p in postings})):
        key = (account.kind, str(account.campaign_id or ""), account.currency_id)
        if key in wanted:
            by_key[key] = account
    for line in sorted((line for p in postings for line in p.lines), key=lambda x: x.key):
        if line.key not in by_key:
            by_key[line.key], _ = Account.objects.get_or_create(
                kind=line.kind, campaign_id=line.campaign_id, currency_id=line.currency
            )
    locked = lock_accounts(account.pk for account in by_key.values())

    deltas: dict[UUID, int] = defaultdict(int)
    raised: dict[Any, int] = defaultdict(int)
    for posting in postings:
        for line in posting.lines:
            pk = by_key[line.key].pk
            deltas[pk] += line.amount
            account = locked[pk]
            # Checked after each posting in order: a batch is refused where the same
            # postings one by one would be.
            if account.kind in CAMPAIGN_KINDS and account.balance + deltas[pk] < 0:
                raise _insufficient(account, -line.amount)
        campaign = locked_campaigns[posting.campaign.pk]
        before = campaign.raised_amount + raised[campaign.pk]
        raised[campaign.pk] += posting.raised_delta
        if before + posting.raised_delta < 0:
            raise Conflict(
                f"The campaign has raised {before}; "
                f"{-posting.raised_delta} cannot be taken off it.",
                code="raised_amount_too_low",
            )

    # One INSERT statement, so the entries balance even under SET CONSTRAINTS IMMEDIATE.
    Entry.objects.bulk_create(
        Entry(
            transaction=posted[posting.reference],
            account_id=by_key[line.key].pk,
            amount=line.amount,
            currency_id=line.currency,
        )
        for posting in postings
        for line in posting.lines
    )
    now = timezone.now()
    for pk in sorted(deltas):
        if deltas[pk]:
            Account.objects.filter(pk=pk).update(balance=F("balance") + deltas[pk], updated_at=now)
    for campaign_pk in sorted(raised):
        if raised[campaign_pk]:
            Campaign.objects.filter(pk=campaign_pk).update(
                raised_amount=F("raised_amount") + raised[campaign_pk]
            )
    # The callers' instances show what was committed with the postings.
    for posting in postings:
        campaign = locked_campaigns[posting.campaign.pk]
        posting.campaign.raised_amount = campaign.raised_amount + raised[campaign.pk]


# --- postings -------------------------------------------------------------------------------


def ledger_post_donation_succeeded(
    *,
    reference: str,
    campaign: Campaign,
    charged_amount: int,
    charged_currency: Currency | str,
    gift: int,
    fee: int,
    tip: int,
    net_to_campaign: int,
    fx_rate: Decimal | str | None = None,
    memo: dict[str, Any] | None = None,
) -> LedgerTransaction:
    """Money came in through Paystack: see `_donation_posting`. Raises the campaign's
    raised_amount by `gift`."""
    return _post_many(
        [
            _donation_posting(
                reference=reference,
                campaign=campaign,
                charged_amount=charged_amount,
                charged_currency=charged_currency,
                gift=gift,
                fee=fee,
                tip=tip,
                net_to_campaign=net_to_campaign,
                fx_rate=fx_rate,
                memo=memo,
            )
        ]
    )[0]


def ledger_post_donations_succeeded(
    donations: Sequence[Mapping[str, Any]],
) -> list[LedgerTransaction]:
    """Many `ledger_post_donation_succeeded` at once (each mapping holds its keyword
    arguments), with one lock of each campaign and account, one insert of the
    transactions and one of the entries (a batched settlement). All or nothing: any
    refusal raises and the caller's transaction rolls back. The transactions, in order."""
    return _post_many([_donation_posting(**item) for item in donations])


def _donation_posting(
    *,
    reference: str,
    campaign: Campaign,
    charged_amount: int,
    charged_currency: Currency | str,
    gift: int,
    fee: int,
    tip: int,
    net_to_campaign: int,
    fx_rate: Decimal | str | None = None,
    memo: dict[str, Any] | None = None,
) -> _Posting:
    """Money came in through Paystack: credit the campaign, the platform fee and the tip.

    Debit Paystack clearing with what was charged, in the charged currency; credit the
    campaign's available balance with `net_to_campaign`, platform fees with `fee` and
    platform tips with `tip`, in the campaign's currency. A charge in another currency
    goes through the FX pair: clearing/fx in the charged currency, fx/campaign+fees+tips
    in the campaign's, so each currency balances; `fx_rate` (charged -> campaign) is
    required then and recorded. Raises the campaign's raised_amount by `gift`.
    """
    reference = _reference(reference)
    charged_amount = _amount("charged_amount", charged_amount)
    gift = _amount("gift", gift)
    fee = _amount("fee", fee, allow_zero=True)
    tip = _amount("tip", tip, allow_zero=True)
    net = _amount("net_to_campaign", net_to_campaign)
    charged = _currency_code("charged_currency", charged_currency)
    target = campaign.currency_id

    if net == gift:
        fee_covered = fee > 0
    elif net + fee == gift:
        fee_covered = False
    else:
        raise InvalidInput(
            f"net_to_campaign: {net} is neither the gift ({gift}, donor covers the fee) nor "
            f"the gift less the fee ({gift - fee}).",
            fields={"net_to_campaign": ["Must be gift, or gift less fee."]},
        )
    total = net + fee + tip
    if charged == target:
        if charged_amount != total:
            raise InvalidInput(
                f"charged_amount: {charged_amount} does not equal net + fee + tip ({total}).",
                fields={"charged_amount": [f"Must be {total} (net + fee + tip)."]},
            )
        rate = None
    else:
        rate = _rate(fx_rate)

    lines = [
        _Line(AccountKind.PAYSTACK_CLEARING, charged, -charged_amount),
        _Line(AccountKind.CAMPAIGN_AVAILABLE, target, net, campaign.pk),
        _Line(AccountKind.PLATFORM_FEES, target, fee),
        _Line(AccountKind.PLATFORM_TIPS, target, tip),
    ]
    if rate is not None:
        lines += [
            _Line(AccountKind.FX, charged, charged_amount),
            _Line(AccountKind.FX, target, -total),
        ]
    details = {
        "charged_amount": charged_amount,
        "charged_currency": charged,
        "currency": target,
        "gift": gift,
        "fee": fee,
        "tip": tip,
        "net_to_campaign": net,
        "fee_covered": fee_covered,
        "fx_rate": str(rate) if rate is not None else None,
    }
    return _Posting(
        reference=reference,
        kind=TransactionKind.DONATION_SUCCEEDED,
        campaign=campaign,
        lines=lines,
        raised_delta=gift,
        memo={**(memo or {}), **details},
    )


def _campaign_move(
    *,
    reference: str,
    kind: str,
    campaign: Campaign,
    amount: int,
    debit: str,
    credit: str,
    memo: dict[str, Any] | None,
) -> LedgerTransaction:
    reference = _reference(reference)
    amount = _amount("amount", amount)
    currency = campaign.currency_id
    owner: dict[str, UUID] = dict.fromkeys(CAMPAIGN_KINDS, campaign.pk)
    return _post(
        reference=reference,
        kind=kind,
        campaign=campaign,
        lines=[
            _Line(debit, currency, -amount, owner.get(debit)),
            _Line(credit, currency, amount, owner.get(credit)),
        ],
        memo={**(memo or {}), "amount": amount, "currency": currency},
    )


def ledger_post_hold(
    *, reference: str, campaign: Campaign, amount: int, memo: dict[str, Any] | None = None
) -> LedgerTransaction:
    """A withdrawal was requested: move `amount` from available to held."""
    return _campaign_move(
        reference=reference,
        kind=TransactionKind.HOLD,
        campaign=campaign,
        amount=amount,
        debit=AccountKind.CAMPAIGN_AVAILABLE,
        credit=AccountKind.CAMPAIGN_HELD,
        memo=memo,
    )


def ledger_post_release(
    *, reference: str, campaign: Campaign, amount: int, memo: dict[str, Any] | None = None
) -> LedgerTransaction:
    """A held withdrawal was rejected, cancelled, failed or reversed: held back to available."""
    return _campaign_move(
        reference=reference,
        kind=TransactionKind.RELEASE,
        campaign=campaign,
        amount=amount,
        debit=AccountKind.CAMPAIGN_HELD,
        credit=AccountKind.CAMPAIGN_AVAILABLE,
        memo=memo,
    )


def ledger_post_transfer_succeeded(
    *, reference: str, campaign: Campaign, amount: int, memo: dict[str, Any] | None = None
) -> LedgerTransaction:
    """The payout reached the organiser's bank: held money leaves through Paystack."""
    return _campaign_move(
        reference=reference,
        kind=TransactionKind.TRANSFER_SUCCEEDED,
        campaign=campaign,
        amount=amount,
        debit=AccountKind.CAMPAIGN_HELD,
        credit=AccountKind.PAYSTACK_CLEARING,
        memo=memo,
    )


def ledger_post_transfer_reversed(
    *, reference: str, campaign: Campaign, amount: int, memo: dict[str, Any] | None = None
) -> LedgerTransaction:
    """A payout Paystack had completed came back (transfer.reversed after success): the
    money returns through Paystack to the campaign's available balance."""
    return _campaign_move(
        reference=reference,
        kind=TransactionKind.TRANSFER_REVERSED,
        campaign=campaign,
        amount=amount,
        debit=AccountKind.PAYSTACK_CLEARING,
        credit=AccountKind.CAMPAIGN_AVAILABLE,
        memo=memo,
    )


def ledger_post_refund(
    *,
    reference: str,
    campaign: Campaign,
    amount: int,
    fee_returned: int = 0,
    tip_returned: int = 0,
    gift: int | None = None,
    memo: dict[str, Any] | None = None,
) -> LedgerTransaction:
    """A donation was refunded: money goes back out through Paystack, in the campaign currency.

    `amount` comes off the campaign's available balance (refused if it holds less).
    When the platform also gives back its fee or the tip, `fee_returned`/`tip_returned`
    come off platform fees/tips. `raised_amount` goes down by `gift` (default `amount`),
    which must be `amount` (the donor had covered the fee, or none is returned) or
    `amount + fee_returned` (the fee had come out of the gift).
    """
    reference = _reference(reference)
    amount = _amount("amount", amount)
    fee_returned = _amount("fee_returned", fee_returned, allow_zero=True)
    tip_returned = _amount("tip_returned", tip_returned, allow_zero=True)
    gift = amount if gift is None else _amount("gift", gift)
    if gift not in (amount, amount + fee_returned):
        raise InvalidInput(
            f"gift: {gift} is neither amount ({amount}) nor amount + fee_returned "
            f"({amount + fee_returned}).",
            fields={"gift": ["Must be amount, or amount + fee_returned."]},
        )
    currency = campaign.currency_id
    back = amount + fee_returned + tip_returned
    return _post(
        reference=reference,
        kind=TransactionKind.REFUND,
        campaign=campaign,
        lines=[
            _Line(AccountKind.CAMPAIGN_AVAILABLE, currency, -amount, campaign.pk),
            _Line(AccountKind.PLATFORM_FEES, currency, -fee_returned),
            _Line(AccountKind.PLATFORM_TIPS, currency, -tip_returned),
            _Line(AccountKind.PAYSTACK_CLEARING, currency, back),
        ],
        raised_delta=-gift,
        memo={
            **(memo or {}),
            "amount": amount,
            "fee_returned": fee_returned,
            "tip_returned": tip_returned,
            "gift": gift,
            "currency": currency,
        },
    )
