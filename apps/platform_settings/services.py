"""Every change to platform settings goes through `platform_settings_update`.

It validates everything first, then in one transaction locks the rows it reads (always
in this order: the settings record, then currency rows by code, then campaign caps by
campaign id), writes the changed values and one `SettingsChangeLog` entry per changed
key, and drops the cached snapshot (inside the transaction and again after commit).

Keys of `changes` (values are integers; `None` where noted):

- `fx_margin_bps`: 0..5000
- `max_rate_age_seconds`: 60..604800
- `withdrawal_cap.<CUR>`: >= 1 and >= the currency's minimum withdrawal
- `minimum_withdrawal.<CUR>`: >= 1 and <= the currency's withdrawal cap
- `fee_percent_bps.<CUR>`: 0..5000
- `fee_flat.<CUR>`: >= 0
- `fee_cap.<CUR>`: `None` (no cap) or >= the flat fee
- `campaign_withdrawal_cap.<campaign id>`: `None` (use the global cap) or >= the minimum
  withdrawal of the campaign's currency
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.audit.services import audit_log
from apps.core.errors import InvalidInput, NotFound
from apps.fees.policy import MAX_FEE_PERCENT_BPS

from .defaults import seed_platform_settings
from .models import (
    MAX_FX_MARGIN_BPS,
    MAX_RATE_AGE_SECONDS,
    MIN_RATE_AGE_SECONDS,
    CampaignWithdrawalCap,
    CurrencySettings,
    PlatformSettings,
    SettingsChangeLog,
)
from .selectors import (
    CAMPAIGN_WITHDRAWAL_CAP_KEY,
    WITHDRAWAL_CAP_KEY,
    invalidate_platform_settings_cache,
)

if TYPE_CHECKING:
    from apps.users.models import User

# key -> (smallest, largest) allowed
PLATFORM_FIELDS: dict[str, tuple[int, int]] = {
    "fx_margin_bps": (0, MAX_FX_MARGIN_BPS),
    "max_rate_age_seconds": (MIN_RATE_AGE_SECONDS, MAX_RATE_AGE_SECONDS),
}
# key prefix -> (smallest, largest or None, may be None)
CURRENCY_FIELDS: dict[str, tuple[int, int | None, bool]] = {
    WITHDRAWAL_CAP_KEY: (1, None, False),
    "minimum_withdrawal": (1, None, False),
    "fee_percent_bps": (0, MAX_FEE_PERCENT_BPS, False),
    "fee_flat": (0, None, False),
    "fee_cap": (0, None, True),
}
CURRENCY_COLUMNS = {WITHDRAWAL_CAP_KEY: "withdrawal_cap"}  # key prefix -> column, if different
REQUIRED_FOR_NEW_CURRENCY = (
    WITHDRAWAL_CAP_KEY,
    "minimum_withdrawal",
    "fee_percent_bps",
    "fee_flat",
)
# Largest amount a setting can hold: well inside a 64-bit column.
MAX_SETTING_AMOUNT = 10**15


@dataclass
class _Changes:
    platform: dict[str, int] = field(default_factory=dict)
    currencies: dict[str, dict[str, int | None]] = field(default_factory=dict)
    campaigns: dict[uuid.UUID, int | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.platform or self.currencies or self.campaigns)


def _check_value(value: Any, low: int, high: int | None, nullable: bool) -> str | None:
    if value is None:
        return None if nullable else "This setting cannot be empty."
    if type(value) is not int:
        return "Must be a whole number."
    if value < low:
        return "Cannot be negative." if low == 0 else f"Must be at least {low}."
    if value > (high if high is not None else MAX_SETTING_AMOUNT):
        return f"Must be at most {high if high is not None else MAX_SETTING_AMOUNT}."
    return None


def _parse(changes: Mapping[str, Any]) -> _Changes:
    """Check each key and value on its own; raise naming every bad key."""
    from apps.currency.selectors import currency_codes

    if not isinstance(changes, Mapping):
        raise InvalidInput("changes must be an object of setting -> value.")
    known_currencies = currency_codes()
    parsed = _Changes()
    errors: dict[str, list[str]] = {}
    for key, value in changes.items():
        if not isinstance(key, str):
            errors[str(key)] = ["Unknown setting."]
            continue
        if key in PLATFORM_FIELDS:
            problem = _check_value(value, *PLATFORM_FIELDS[key], False)
            if problem:
                errors[key] = [problem]
            else:
                parsed.platform[key] = value
            continue
        prefix, _, suffix = key.partition(".")
        if prefix in CURRENCY_FIELDS and suffix:
            if suffix not in known_currencies:
                errors[key] = [f"Unknown currency {suffix!r}."]
                continue
            problem = _check_value(value, *CURRENCY_FIELDS[prefix])
            if problem:
                errors[key] = [problem]
            else:
                parsed.currencies.setdefault(suffix, {})[prefix] = value
            continue
        if prefix == CAMPAIGN_WITHDRAWAL_CAP_KEY and suffix:
            try:
                campaign_id = uuid.UUID(suffix)
            except ValueError:
                errors[key] = ["Not a campaign id."]
                continue
            problem = _check_value(value, 1, None, True)
            if problem:
                errors[key] = [problem]
            else:
                parsed.campaigns[campaign_id] = value
            continue
        errors[key] = ["Unknown setting."]
    if errors:
        raise InvalidInput(_message(errors), fields=errors)
    return parsed


def _message(errors: dict[str, list[str]]) -> str:
    key, problems = next(iter(errors.items()))
    return f"{key}: {problems[0]}"


def _currency_state(row: CurrencySettings | None) -> dict[str, int | None]:
    if row is None:
        return {}
    return {
        prefix: getattr(row, CURRENCY_COLUMNS.get(prefix, prefix)) for prefix in CURRENCY_FIELDS
    }


def _validate_together(
    parsed: _Changes,
    currency_rows: dict[str, CurrencySettings],
    campaign_currencies: dict[uuid.UUID, str],
) -> dict[str, dict[str, int | None]]:
    """Check the values that must agree with each other, after the change; return the new
    state of each currency touched (or needed by a campaign cap)."""
    errors: dict[str, list[str]] = {}
    new_state: dict[str, dict[str, int | None]] = {}
    codes = set(parsed.currencies) | set(campaign_currencies.values())
    for code in sorted(codes):
        # Any: the required keys hold integers by the time they are compared below.
        state: dict[str, Any] = _currency_state(currency_rows.get(code))
        given = parsed.currencies.get(code, {})
        if not state and given:  # a currency with no settings yet needs them all
            missing = [p for p in REQUIRED_FOR_NEW_CURRENCY if p not in given]
            for prefix in missing:
                errors[f"{prefix}.{code}"] = [
                    f"{code} has no settings yet: give {', '.join(REQUIRED_FOR_NEW_CURRENCY)}."
                ]
            state = {"fee_cap": None}
        state = {**state, **given}
        new_state[code] = state
        if not given or any(f"{p}.{code}" in errors for p in REQUIRED_FOR_NEW_CURRENCY):
            continue
        if state[WITHDRAWAL_CAP_KEY] < state["minimum_withdrawal"]:
            key = (
                f"{WITHDRAWAL_CAP_KEY}.{code}"
                if WITHDRAWAL_CAP_KEY in given
                else f"minimum_withdrawal.{code}"
            )
            errors[key] = [
                f"The withdrawal cap ({state[WITHDRAWAL_CAP_KEY]}) cannot be below the "
                f"minimum withdrawal ({state['minimum_withdrawal']})."
            ]
        if state["fee_cap"] is not None and state["fee_cap"] < state["fee_flat"]:
            key = f"fee_cap.{code}" if "fee_cap" in given else f"fee_flat.{code}"
            errors[key] = [
                f"The fee cap ({state['fee_cap']}) cannot be below the flat fee "
                f"({state['fee_flat']})."
            ]
    for campaign_id, amount in parsed.campaigns.items():
        key = f"{CAMPAIGN_WITHDRAWAL_CAP_KEY}.{campaign_id}"
        currency = campaign_currencies.get(campaign_id)
        if currency is None:
            errors[key] = ["No such campaign."]
            continue
        if amount is None:
            continue
        minimum = new_state.get(currency, {}).get("minimum_withdrawal")
        if minimum is None:
            errors[key] = [f"{currency} has no withdrawal settings yet."]
        elif amount < minimum:
            errors[key] = [f"Cannot be below the minimum withdrawal of {currency} ({minimum})."]
    if errors:
        raise InvalidInput(_message(errors), fields=errors)
    return new_state


def _campaign_currencies(campaign_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    from apps.campaigns.models import Campaign

    if not campaign_ids:
        return {}
    return dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "currency_id"))


def platform_settings_validate(*, changes: Mapping[str, Any]) -> None:
    """Raise `InvalidInput` naming each bad key, as the update would; write nothing.

    For forms that want to show the errors before saving (the staff console).
    """
    parsed = _parse(changes)
    campaign_currencies = _campaign_currencies(list(parsed.campaigns))
    codes = set(parsed.currencies) | set(campaign_currencies.values())
    rows = {row.currency_id: row for row in CurrencySettings.objects.filter(currency_id__in=codes)}
    _validate_together(parsed, rows, campaign_currencies)


def _actor_email(actor: User | None) -> str:
    return (getattr(actor, "email", "") or "")[:254] if actor is not None else ""


def platform_settings_update(
    *, actor: User | None, changes: Mapping[str, Any], ip_address: str | None = None
) -> PlatformSettings:
    """Apply `changes` (see the module docstring) and log each changed key.

    Keys whose value does not change are neither written nor logged. Returns the
    settings record; read the new values through `get_platform_settings()`.
    """
    record, _ = _apply(actor=actor, changes=changes, ip_address=ip_address)
    return record


def _apply(
    *, actor: User | None, changes: Mapping[str, Any], ip_address: str | None
) -> tuple[PlatformSettings, list[SettingsChangeLog]]:
    parsed = _parse(changes)
    if PlatformSettings.objects.filter(pk=1).first() is None:
        seed_platform_settings()
    with transaction.atomic():  # the staff console calls this inside its own transaction
        record = PlatformSettings.objects.select_for_update().get(pk=1)
        campaign_currencies = _campaign_currencies(list(parsed.campaigns))
        codes = sorted(set(parsed.currencies) | set(campaign_currencies.values()))
        currency_rows = {
            row.currency_id: row
            for row in CurrencySettings.objects.select_for_update()
            .filter(currency_id__in=codes)
            .order_by("currency_id")
        }
        campaign_caps = {
            cap.campaign_id: cap
            for cap in CampaignWithdrawalCap.objects.select_for_update()
            .filter(campaign_id__in=list(campaign_currencies))
            .order_by("campaign_id")
        }
        new_state = _validate_together(parsed, currency_rows, campaign_currencies)

        log: list[SettingsChangeLog] = []

        def changed(key: str, old: Any, new: Any) -> None:
            log.append(
                SettingsChangeLog(
                    key=key,
                    old_value=old,
                    new_value=new,
                    actor=actor,
                    actor_email=_actor_email(actor),
                    ip_address=ip_address or None,
                )
            )

        record_fields = []
        for name, value in parsed.platform.items():
            old = getattr(record, name)
            if old != value:
                setattr(record, name, value)
                record_fields.append(name)
                changed(name, old, value)

        for code in sorted(parsed.currencies):
            row = currency_rows.get(code)
            old_state = _currency_state(row)
            if row is None:
                row = CurrencySettings(currency_id=code)
            row_fields = []
            for prefix in CURRENCY_FIELDS:
                old, new = old_state.get(prefix), new_state[code].get(prefix)
                if old != new or not old_state:
                    setattr(row, CURRENCY_COLUMNS.get(prefix, prefix), new)
                    row_fields.append(CURRENCY_COLUMNS.get(prefix, prefix))
                    if old != new:
                        changed(f"{prefix}.{code}", old, new)
            if not old_state:
                row.save(force_insert=True)
            elif row_fields:
                row.save(update_fields=[*row_fields, "updated_at"])

        for campaign_id, amount in sorted(parsed.campaigns.items(), key=lambda kv: kv[0]):
            cap = campaign_caps.get(campaign_id)
            old = cap.amount if cap else None
            if old == amount:
                continue
            if amount is None:
                assert cap is not None  # no cap and no amount was skipped just above
                cap.delete()
            elif cap is None:
                CampaignWithdrawalCap.objects.create(
                    campaign_id=campaign_id, amount=amount, set_by=actor
                )
            else:
                cap.amount = amount
                cap.set_by = actor
                cap.save(update_fields=["amount", "set_by", "updated_at"])
            changed(f"{CAMPAIGN_WITHDRAWAL_CAP_KEY}.{campaign_id}", old, amount)

        if log:
            record.updated_by = actor
            record.save(update_fields=[*record_fields, "updated_by", "updated_at"])
            SettingsChangeLog.objects.bulk_create(log)
            audit_log(
                actor=actor,
                action="settings.update",
                target_type="platform_settings",
                target_id=str(record.pk),
                before={entry.key: entry.old_value for entry in log},
                after={entry.key: entry.new_value for entry in log},
                ip_address=ip_address,
            )
            invalidate_platform_settings_cache()
            transaction.on_commit(invalidate_platform_settings_cache)
    return record, log


def _rename_fields(exc: InvalidInput, names: dict[str, str]) -> InvalidInput:
    fields = {names.get(key, key): problems for key, problems in (exc.fields or {}).items()}
    message = _message(fields) if fields else exc.message
    return InvalidInput(message, code=exc.code, fields=fields or None)


@dataclass(frozen=True)
class WithdrawalCapChange:
    currency: str
    amount: int
    previous_amount: int | None  # None: the currency had no cap before


def platform_settings_set_withdrawal_cap(
    *, actor: User | None, currency: str, amount: int, ip_address: str | None = None
) -> WithdrawalCapChange:
    """Set the global cap per withdrawal request of one currency (`PUT .../global-withdrawal-cap`).

    Errors name `amount` and `currency`, the fields of that request.
    """
    from apps.currency.selectors import currency_codes

    if currency not in currency_codes():
        raise InvalidInput(
            f"currency: Unknown currency {currency!r}.",
            fields={"currency": [f"Unknown currency {currency!r}."]},
        )
    key = f"{WITHDRAWAL_CAP_KEY}.{currency}"
    try:
        _, log = _apply(actor=actor, changes={key: amount}, ip_address=ip_address)
    except InvalidInput as exc:
        raise _rename_fields(exc, {key: "amount"}) from exc
    previous = log[0].old_value if log else amount
    return WithdrawalCapChange(currency=currency, amount=amount, previous_amount=previous)


def campaign_withdrawal_cap_set(
    *,
    actor: User | None,
    campaign_id: uuid.UUID | str,
    amount: int | None,
    ip_address: str | None = None,
) -> PlatformSettings:
    """Give a campaign its own cap per withdrawal request, or (`amount=None`) remove it."""
    try:
        campaign_id = uuid.UUID(str(campaign_id))
    except ValueError:
        raise NotFound("No such campaign.", fields={"campaign": ["No such campaign."]}) from None
    if not _campaign_currencies([campaign_id]):
        raise NotFound("No such campaign.", fields={"campaign": ["No such campaign."]})
    key = f"{CAMPAIGN_WITHDRAWAL_CAP_KEY}.{campaign_id}"
    try:
        return platform_settings_update(actor=actor, changes={key: amount}, ip_address=ip_address)
    except InvalidInput as exc:
        raise _rename_fields(exc, {key: "amount"}) from exc
