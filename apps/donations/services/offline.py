"""Offline donations: bank transfers received outside Paystack, imported from a CSV.

Staff upload a file; every row is checked first (a dry run answers the same checks
without writing). Only a file without a single bad row is applied, and then all of it
in ONE transaction: each new row becomes a donation (channel `offline`, settled via
`import`, its timeline from `created` to `succeeded`) credited by the same step as an
online donation (`settlement.credit_locked_donation`: the `donation:<id>:succeeded`
ledger posting, raised amount, donor count, leaderboard, receipts after commit), and
one audit row records the import (actor, file name, counts).

Idempotent by reference: a row whose reference was already imported with the same
campaign, amount, currency and email is reported `already_imported` and left alone; a
reference used by any other donation is an error. Fees follow the online policy
(`apps.platform_settings.pricing.quote_donation`, donor not covering it, no tip): the
bank received the gift and the campaign gets the gift less the platform fee.

Columns (header names, any order, case-insensitive): reference, campaign (slug or
id), amount (major units, "5,000.00" or "₦5,000") or amount_minor (integer minor
units), currency, email, name, paid_at (ISO date or date-time; UTC unless it says),
note (staff only, kept on the timeline), anonymous (true/false, optional).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.audit.services import audit_log
from apps.campaigns.models import Campaign, CampaignStatus
from apps.campaigns.selectors import campaign_find
from apps.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from apps.core.locks import lock_campaign
from apps.currency.money import parse_money
from apps.currency.selectors import currency_get
from apps.platform_settings.pricing import quote_donation

from ..models import NAME_MAX_LENGTH, Donation
from .common import E, donation_event_record
from .initialize import _campaign_split, _max_amount, donation_amounts
from .settlement import credit_locked_donation

if TYPE_CHECKING:
    from apps.users.models import User

IMPORT_PERMISSION = "donations.import_donation"
# progress(stage, done, total): stage "check" (every row) then "apply" (the new rows).
ImportProgress = Callable[[str, int, int], None]
OFFLINE_CHANNEL = "offline"
OFFLINE_SOURCE = "import"
MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
NOTE_MAX_LENGTH = 500
REFERENCE_MAX_LENGTH = 64
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=/-]*")
# Campaigns an offline gift may go to: taking donations, or ended (money sent before the
# end that arrives after it still belongs to the cause).
_ACCEPTING = (CampaignStatus.ACTIVE, CampaignStatus.ENDED)

COLUMNS = (
    "reference",
    "campaign",
    "amount",
    "amount_minor",
    "currency",
    "email",
    "name",
    "paid_at",
    "note",
    "anonymous",
)
REQUIRED_COLUMNS = ("reference", "campaign", "currency", "email", "paid_at")

# Row outcomes.
WOULD_IMPORT = "would_import"  # dry run: the row is good and new
IMPORTED = "imported"
ALREADY_IMPORTED = "already_imported"
ERROR = "error"


@dataclass(frozen=True)
class OfflineRow:
    """One data row of the file: its line number in the file (the header is line 1)
    and its cells by lower-case column name."""

    line: int
    values: Mapping[str, str]


@dataclass
class OfflineRowResult:
    line: int
    reference: str
    outcome: str
    errors: list[str] = field(default_factory=list)
    campaign: str = ""  # the campaign's title once found
    amount: int | None = None  # the gift, minor units of `currency`
    currency: str = ""
    fee: int | None = None
    donation_id: str = ""


@dataclass
class OfflineImportResult:
    dry_run: bool
    applied: bool
    file_name: str
    rows: list[OfflineRowResult]

    @property
    def errors(self) -> list[OfflineRowResult]:
        return [row for row in self.rows if row.outcome == ERROR]

    @property
    def counts(self) -> dict[str, int]:
        counts = {WOULD_IMPORT: 0, IMPORTED: 0, ALREADY_IMPORTED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.outcome] += 1
        return counts


@dataclass
class _Valid:
    """A checked row, ready to be created."""

    row: OfflineRowResult
    campaign: Campaign
    currency: str
    amount: int
    email: str
    name: str
    anonymous: bool
    paid_at: datetime
    note: str


def offline_rows_from_csv(data: bytes | str) -> list[OfflineRow]:
    """The rows of an uploaded CSV, each with its line number. Refuses (InvalidInput) a
    file that is not UTF-8 text, has no header or misses a required column, names an
    unknown column, or holds more than MAX_ROWS rows."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise InvalidInput(f"file: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("file: not UTF-8 text; save the CSV as UTF-8.") from exc
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("file: empty; the first line must name the columns.") from None
    except csv.Error as exc:
        raise InvalidInput(f"file: line 1: {exc}") from exc
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InvalidInput(
            f"file: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if "amount" not in names and "amount_minor" not in names:
        missing.append("amount or amount_minor")
    if missing:
        raise InvalidInput(f"file: missing column(s): {', '.join(missing)}.")
    if len(set(names)) != len(names):
        raise InvalidInput("file: a column is named twice.")
    rows: list[OfflineRow] = []
    line = reader.line_num + 1  # where the next record starts
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # blank lines are not rows
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(f"file: more than {MAX_ROWS} rows; split it.")
            padded = [*cells, *[""] * (len(names) - len(cells))]
            values = dict(zip(names, (c.strip() for c in padded), strict=False))
            if len(cells) > len(names):
                values["__extra__"] = "yes"
            rows.append(OfflineRow(line=start, values=values))
    except csv.Error as exc:
        raise InvalidInput(f"file: line {reader.line_num}: {exc}") from exc
    if not rows:
        raise InvalidInput("file: no rows below the header.")
    return rows


def _campaign(text: str) -> Campaign:
    campaign = campaign_find(text)
    if campaign is None or campaign.status in (
        CampaignStatus.DRAFT,
        CampaignStatus.PENDING_REVIEW,
        CampaignStatus.REJECTED,
    ):
        raise InvalidInput(f"campaign: no campaign {text!r}.")
    if campaign.status not in _ACCEPTING:
        raise InvalidInput(f"campaign: {campaign.title!r} is {campaign.status}.")
    return campaign


def _paid_at(text: str) -> datetime:
    if not text:
        raise InvalidInput("paid_at: required (when the bank received it).")
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise InvalidInput(f"paid_at: {text!r} is not a date (2025-01-31 or ISO date-time).")
        moment = datetime.combine(day, time(12, 0))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if moment > timezone.now():
        raise InvalidInput("paid_at: in the future.")
    return moment


def _amount(values: Mapping[str, str], currency: str) -> int:
    major, minor = values.get("amount", ""), values.get("amount_minor", "")
    if major and minor:
        raise InvalidInput("amount: give amount or amount_minor, not both.")
    if minor:
        if not minor.isdigit():
            raise InvalidInput(f"amount_minor: {minor!r} is not a whole number of minor units.")
        amount = int(minor)
    elif major:
        amount = parse_money(major, currency)
    else:
        raise InvalidInput("amount: required (amount in major units or amount_minor).")
    info = currency_get(currency)
    if amount < info.minimum_donation:
        raise InvalidInput(f"amount: below the minimum donation ({info.minimum_donation}).")
    if amount > _max_amount(currency):
        raise InvalidInput(f"amount: above the maximum donation ({_max_amount(currency)}).")
    return amount


def _message(exc: ApplicationError) -> str:
    return exc.message


def _check_row(row: OfflineRow, result: OfflineRowResult) -> _Valid | None:
    """Every problem of one row (not only the first) into `result.errors`."""
    values = row.values
    errors = result.errors
    if values.get("__extra__"):
        errors.append("more cells than columns.")
    campaign: Campaign | None = None
    try:
        campaign = _campaign(values.get("campaign", ""))
        result.campaign = campaign.title
    except ApplicationError as exc:
        errors.append(_message(exc))
    currency = values.get("currency", "").upper()
    amount: int | None = None
    try:
        info = currency_get(currency)
        if not info.enabled:
            raise InvalidInput(f"currency: {currency} is not accepted for donations.")
        result.currency = currency
        amount = _amount(values, currency)
        result.amount = amount
    except ApplicationError as exc:
        errors.append(_message(exc))
    email = values.get("email", "").lower()
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors.append(f"email: {email!r} is not an email address." if email else "email: required.")
    name = values.get("name", "")
    if len(name) > NAME_MAX_LENGTH:
        errors.append(f"name: at most {NAME_MAX_LENGTH} characters.")
    note = values.get("note", "")
    if len(note) > NOTE_MAX_LENGTH:
        errors.append(f"note: at most {NOTE_MAX_LENGTH} characters.")
    anonymous_text = values.get("anonymous", "").lower()
    if anonymous_text not in ("", "true", "false", "yes", "no", "1", "0"):
        errors.append(f"anonymous: {anonymous_text!r} is not true or false.")
    paid_at: datetime | None = None
    try:
        paid_at = _paid_at(values.get("paid_at", ""))
    except ApplicationError as exc:
        errors.append(_message(exc))
    if campaign is not None and amount is not None:
        try:
            quote = quote_donation(gift=amount, tip=0, cover_fee=False, currency=currency)
            if quote.net_to_campaign <= 0:
                raise InvalidInput("amount: too small; the platform fee would take all of it.")
            split = _campaign_split(
                gift=quote.gift,
                fee=quote.fee,
                tip=0,
                cover_fee=False,
                currency=currency,
                campaign_currency=campaign.currency_id,
            )
            if split.gift <= 0 or split.net <= 0:
                raise InvalidInput("amount: too small once converted to the campaign's currency.")
            result.fee = quote.fee
        except ApplicationError as exc:
            errors.append(_message(exc))
    if errors or campaign is None or amount is None or paid_at is None:
        result.outcome = ERROR
        return None
    return _Valid(
        row=result,
        campaign=campaign,
        currency=currency,
        amount=amount,
        email=email,
        name=name,
        anonymous=anonymous_text in ("true", "yes", "1"),
        paid_at=paid_at,
        note=note,
    )


def _same_import(existing: Donation, valid: _Valid) -> bool:
    return (
        existing.settled_via == OFFLINE_SOURCE
        and existing.campaign_id == valid.campaign.pk
        and existing.currency_id == valid.currency
        and existing.amount == valid.amount
        and existing.email == valid.email
    )


def _check(
    rows: Sequence[OfflineRow], progress: ImportProgress | None = None
) -> tuple[list[OfflineRowResult], list[_Valid]]:
    """Results for every row, and the valid new rows to create."""
    results: list[OfflineRowResult] = []
    new: list[_Valid] = []
    seen: dict[str, int] = {}
    references = [r.values.get("reference", "") for r in rows]
    existing = {
        d.reference: d for d in Donation.objects.filter(reference__in=[r for r in references if r])
    }
    for done, row in enumerate(rows, start=1):
        if progress is not None:
            progress("check", done, len(rows))
        reference = row.values.get("reference", "")
        result = OfflineRowResult(line=row.line, reference=reference, outcome=WOULD_IMPORT)
        results.append(result)
        if not reference:
            result.errors.append("reference: required (the bank transfer's reference).")
        elif len(reference) > REFERENCE_MAX_LENGTH or not _REFERENCE.fullmatch(reference):
            result.errors.append(
                f"reference: at most {REFERENCE_MAX_LENGTH} letters, digits and . _ = / -."
            )
        elif reference in seen:
            result.errors.append(f"reference: {reference} is also on line {seen[reference]}.")
        else:
            seen[reference] = row.line
        valid = _check_row(row, result)
        if valid is None:
            continue
        found = existing.get(reference)
        if found is not None:
            if _same_import(found, valid):
                result.outcome = ALREADY_IMPORTED
                result.donation_id = str(found.pk)
            else:
                result.errors.append(
                    f"reference: {reference} is already used by another donation "
                    f"({found.status}, {found.amount} {found.currency_id}, {found.email})."
                )
                result.outcome = ERROR
            continue
        new.append(valid)
    return results, new


def _create_and_credit(valid: _Valid, campaign: Campaign, *, actor: User, file_name: str) -> str:
    quote = quote_donation(gift=valid.amount, tip=0, cover_fee=False, currency=valid.currency)
    split = _campaign_split(
        gift=quote.gift,
        fee=quote.fee,
        tip=0,
        cover_fee=False,
        currency=valid.currency,
        campaign_currency=campaign.currency_id,
    )
    donation = Donation.objects.create(
        reference=valid.row.reference,
        campaign=campaign,
        email=valid.email,
        name=valid.name,
        anonymous=valid.anonymous,
        **donation_amounts(
            quote=quote,
            split=split,
            currency=valid.currency,
            campaign_currency=campaign.currency_id,
        ),
    )
    details = {"file": file_name, "line": valid.row.line, "note": valid.note}
    donation_event_record(
        donation=donation,
        type=E.CREATED,
        source=OFFLINE_SOURCE,
        actor=actor,
        data={
            "amount": donation.charged_amount,
            "currency": valid.currency,
            "gift": donation.amount,
            "fee": donation.fee_amount,
            "tip": 0,
            "cover_fee": False,
            **details,
        },
    )
    credit_locked_donation(
        donation,
        campaign,
        source=OFFLINE_SOURCE,
        paid_at=valid.paid_at,
        channel=OFFLINE_CHANNEL,
        event_data={"amount": donation.charged_amount, "currency": valid.currency, **details},
        memo={"channel": OFFLINE_CHANNEL},
    )
    return str(donation.pk)


def donations_import_offline(
    *,
    rows: Sequence[OfflineRow],
    actor: User | None,
    dry_run: bool,
    file_name: str = "",
    request: HttpRequest | None = None,
    progress: ImportProgress | None = None,
) -> OfflineImportResult:
    """Check (and unless `dry_run`, apply) offline donations; all or nothing.

    Returns every row's outcome with its line number: `would_import` (dry run),
    `imported`, `already_imported` or `error` (with its messages). With one error or
    more nothing is applied (`applied` False). `progress(stage, done, total)`, when given,
    is called per row checked ("check") and per row applied ("apply"; `manage.py
    import_donations` draws its progress bar from it). Raises Forbidden without the
    `donations.import_donation` permission, Conflict when a reference was taken between
    the check and the apply.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("Only staff can import donations.")
    if not actor.has_perm(IMPORT_PERMISSION):
        raise Forbidden(f"This needs the {IMPORT_PERMISSION} permission.")
    file_name = (file_name or "")[:255]
    results, new = _check(rows, progress)
    outcome = OfflineImportResult(dry_run=dry_run, applied=False, file_name=file_name, rows=results)
    if dry_run or outcome.errors:
        return outcome

    try:
        with transaction.atomic(durable=True):
            # Campaigns first, in primary-key order (apps.core.locks); the new donation
            # rows are invisible to everyone else until commit.
            campaigns = {pk: lock_campaign(pk) for pk in sorted({v.campaign.pk for v in new})}
            taken = set(
                Donation.objects.filter(reference__in=[v.row.reference for v in new]).values_list(
                    "reference", flat=True
                )
            )
            if taken:
                raise Conflict(
                    f"Reference(s) {', '.join(sorted(taken))} were used since the check; "
                    "run the import again.",
                    code="import_changed",
                )
            for done, valid in enumerate(new, start=1):
                if progress is not None:
                    progress("apply", done, len(new))
                valid.row.donation_id = _create_and_credit(
                    valid, campaigns[valid.campaign.pk], actor=actor, file_name=file_name
                )
                valid.row.outcome = IMPORTED
            counts = outcome.counts
            audit_log(
                actor=actor,
                action="donation.import_offline",
                target_type="donation_import",
                target_id=file_name or "upload",
                before=None,
                after={
                    "file": file_name,
                    "rows": len(results),
                    "imported": counts[IMPORTED],
                    "already_imported": counts[ALREADY_IMPORTED],
                    "references": [v.row.reference for v in new],
                },
                request=request,
            )
    except IntegrityError as exc:
        for valid in new:
            valid.row.outcome = WOULD_IMPORT
            valid.row.donation_id = ""
        raise Conflict(
            "Another import or payment used one of these references meanwhile; nothing was "
            "imported. Run the import again.",
            code="import_changed",
        ) from exc
    except BaseException:
        for valid in new:
            valid.row.outcome = WOULD_IMPORT
            valid.row.donation_id = ""
        raise
    outcome.applied = True
    return outcome
