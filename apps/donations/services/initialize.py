"""Start a donation: validate, split in the campaign's currency, ask Paystack to charge.

The donation is committed (pending, with its `created` event) before Paystack is
called, so a Paystack answer or webhook always finds it; Paystack is called outside any
transaction of ours.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.campaigns.models import Campaign, CampaignStatus
from apps.campaigns.selectors import campaign_find
from apps.core.errors import Conflict, UpstreamError
from apps.core.locks import lock_donation
from apps.currency.money import format_money
from apps.currency.selectors import currency_get
from apps.fees.calculation import DonationQuote
from apps.payments.channels import paystack_channels
from apps.payments.paystack import PaystackError, get_paystack_client
from apps.platform_settings.pricing import convert, quote_donation

from ..models import MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH, Donation
from .common import E, S, donation_event_record, invalid, status_change

if TYPE_CHECKING:
    from apps.users.models import User

logger = logging.getLogger("apps.donations.services")

FX_RATE_PLACES = Decimal(10) ** -20
_REFERENCE_PREFIX = "don-"


def _new_reference() -> str:
    """Ours, unique, and within Paystack's alphabet (letters, digits, '-', '.', '=')."""
    return f"{_REFERENCE_PREFIX}{secrets.token_hex(12)}"


def _max_amount(currency: str) -> int:
    return int((settings.DONATION_MAX_AMOUNTS or {}).get(currency, settings.DONATION_MAX_AMOUNT))


def _campaign_for_donation(value: Any) -> Campaign:
    """The campaign named by slug (current or former) or id; it must take donations."""
    campaign = campaign_find(value)
    if campaign is None or campaign.status in (
        CampaignStatus.DRAFT,
        CampaignStatus.PENDING_REVIEW,
        CampaignStatus.REJECTED,
    ):
        raise invalid("campaign", "No such campaign.", code="campaign_not_found")
    if campaign.status != CampaignStatus.ACTIVE:
        raise invalid(
            "campaign",
            f"This campaign is {campaign.status} and no longer takes donations.",
            code="campaign_not_accepting_donations",
        )
    return campaign


def _whole(field: str, value: object, *, minimum: int, maximum: int, currency: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, "Must be a whole number of minor units.", code="invalid_amount")
    if value < minimum:
        raise invalid(
            field,
            f"Must be at least {minimum} ({format_money(minimum, currency)}).",
            code="amount_too_small",
        )
    if value > maximum:
        raise invalid(
            field,
            f"Must be at most {maximum} ({format_money(maximum, currency)}).",
            code="amount_too_large",
        )
    return value


def _callback_url(reference: str) -> str | None:
    """Where Paystack returns the donor (settings.DONATION_CALLBACK_URL); None when no
    front end is configured: Paystack then uses the dashboard's callback URL, and the
    offline sandbox shows its own result page."""
    template: str = settings.DONATION_CALLBACK_URL
    return template.replace("{reference}", reference) if template else None


@dataclass(frozen=True)
class _Split:
    gift: int
    fee: int
    tip: int
    net: int
    rate: Decimal | None = None
    market_rate: Decimal | None = None
    rate_id: Any = None
    source: str = ""


def donation_amounts(
    *, quote: DonationQuote, split: _Split, currency: str, campaign_currency: str
) -> dict[str, Any]:
    """A donation's amount fields: what the donor is charged (the quote, in `currency`)
    and the same split in the campaign's currency, with the rate it used."""
    return {
        "currency_id": currency,
        "amount": quote.gift,
        "fee_amount": quote.fee,
        "tip_amount": quote.tip,
        "cover_fee": quote.cover_fee,
        "charged_amount": quote.charged,
        "campaign_currency_id": campaign_currency,
        "gift_campaign": split.gift,
        "fee_campaign": split.fee,
        "tip_campaign": split.tip,
        "net_campaign": split.net,
        "fx_rate": split.rate,
        "fx_market_rate": split.market_rate,
        "fx_rate_ref_id": split.rate_id,
        "fx_source": split.source,
    }


def _campaign_split(
    *, gift: int, fee: int, tip: int, cover_fee: bool, currency: str, campaign_currency: str
) -> _Split:
    """The donation's split in the campaign's currency, at one adjusted rate."""
    if currency == campaign_currency:
        net = gift if cover_fee else gift - fee
        return _Split(gift=gift, fee=fee, tip=tip, net=net)
    for _attempt in range(3):
        at = timezone.now()
        conversions = [
            convert(value, currency, campaign_currency, at=at) for value in (gift, fee, tip)
        ]
        first = conversions[0]
        if all(c.rate == first.rate for c in conversions):
            break
        # a new rate landed between the calls: convert again, all at one rate
    else:
        raise Conflict(
            "Exchange rates are being updated just now; please try again.",
            code="exchange_rate_changing",
        )
    gift_c, fee_c, tip_c = (c.amount for c in conversions)
    net_c = gift_c if cover_fee else gift_c - fee_c
    return _Split(
        gift=gift_c,
        fee=fee_c,
        tip=tip_c,
        net=net_c,
        rate=first.rate.quantize(FX_RATE_PLACES, rounding=ROUND_HALF_UP),
        market_rate=first.market_rate.quantize(FX_RATE_PLACES, rounding=ROUND_HALF_UP),
        rate_id=first.rate_id,
        source=first.source,
    )


@dataclass(frozen=True)
class DonationPrice:
    """What a donation of these amounts would be charged and where it would go."""

    quote: DonationQuote
    split: _Split
    currency: str
    campaign_currency: str

    def amounts(self) -> dict[str, Any]:
        """The donation's amount fields (`donation_amounts`)."""
        return donation_amounts(
            quote=self.quote,
            split=self.split,
            currency=self.currency,
            campaign_currency=self.campaign_currency,
        )


def donation_price(
    *,
    amount: object,
    currency: str,
    campaign_currency: str,
    tip_amount: object = 0,
    cover_fee: bool = False,
    currency_field: str = "currency",
) -> DonationPrice:
    """Price a donation of `amount` (+ `tip_amount`) minor units of `currency` to a
    campaign raising in `campaign_currency`, exactly as `donation_initialize` charges it:
    the checks of the amounts (minimum donation, maximum), the fee (the donor covering it
    or not) and the split in the campaign's currency at one adjusted rate.

    `donation_initialize` prices every donation with it, and `GET /v1/rates` quotes with
    it, so a quote and the charge that follows cannot disagree (at the same rates).
    Refusals name `currency_field` for the donor's currency (`from` in the quote).
    """
    info = currency_get(currency, field=currency_field)
    if not info.enabled:
        raise invalid(
            currency_field, f"{currency} is not accepted for donations.", "currency_disabled"
        )
    maximum = _max_amount(currency)
    gift = _whole(
        "amount", amount, minimum=info.minimum_donation, maximum=maximum, currency=currency
    )
    tip = _whole("tip_amount", tip_amount, minimum=0, maximum=maximum, currency=currency)
    quote = quote_donation(gift=gift, tip=tip, cover_fee=bool(cover_fee), currency=currency)
    if quote.net_to_campaign <= 0:
        raise invalid(
            "amount", "Too small: the platform fee would take all of it.", "amount_too_small"
        )
    split = _campaign_split(
        gift=quote.gift,
        fee=quote.fee,
        tip=quote.tip,
        cover_fee=quote.cover_fee,
        currency=currency,
        campaign_currency=campaign_currency,
    )
    if split.gift <= 0 or split.net <= 0:
        raise invalid(
            "amount", "Too small once converted to the campaign's currency.", "amount_too_small"
        )
    return DonationPrice(
        quote=quote, split=split, currency=currency, campaign_currency=campaign_currency
    )


def donation_initialize(
    *,
    campaign: str,
    amount: int,
    currency: str,
    email: str,
    name: str = "",
    anonymous: bool = False,
    message: str = "",
    tip_amount: int = 0,
    cover_fee: bool = False,
    donor: User | None = None,
) -> Donation:
    """Create a pending donation and start its Paystack checkout.

    The donation is committed first (so a Paystack answer or webhook always finds it),
    then Paystack is asked to charge `gift + tip (+ fee when covered)`. If Paystack fails
    the donation is marked failed and UpstreamError (502) is raised.
    """
    target = _campaign_for_donation(campaign)
    price = donation_price(
        amount=amount,
        currency=currency,
        campaign_currency=target.currency_id,
        tip_amount=tip_amount,
        cover_fee=cover_fee,
    )
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise invalid("email", "Enter a valid email address.")
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise invalid("name", f"At most {NAME_MAX_LENGTH} characters.")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise invalid("message", f"At most {MESSAGE_MAX_LENGTH} characters.")
    if donor is not None and not getattr(donor, "is_authenticated", False):
        donor = None

    with transaction.atomic(durable=True):
        donation = Donation.objects.create(
            reference=_new_reference(),
            campaign=target,
            donor=donor,
            email=email,
            name=name,
            anonymous=bool(anonymous),
            message=message,
            **price.amounts(),
        )
        donation_event_record(
            donation=donation,
            type=E.CREATED,
            source="api",
            actor=donor,
            data={
                "amount": donation.charged_amount,
                "currency": currency,
                "gift": donation.amount,
                "fee": donation.fee_amount,
                "tip": donation.tip_amount,
                "cover_fee": donation.cover_fee,
            },
        )

    try:
        started = get_paystack_client().initialize_transaction(
            email=email,
            amount=donation.charged_amount,
            currency=currency,
            reference=donation.reference,
            callback_url=_callback_url(donation.reference),
            metadata={
                "donation_id": str(donation.pk),
                "campaign_id": str(target.pk),
                "campaign": target.slug,
                "campaign_title": target.title,
                "gift": donation.amount,
                "tip": donation.tip_amount,
                "fee": donation.fee_amount,
                "cover_fee": donation.cover_fee,
                # Paystack shows custom fields with the transaction (the sandbox's checkout
                # names the campaign from this).
                "custom_fields": [
                    {
                        "display_name": "Campaign",
                        "variable_name": "campaign",
                        "value": target.title,
                    }
                ],
            },
            channels=paystack_channels(currency),
        )
    except PaystackError as exc:
        _initialize_failed(donation, str(exc))
        raise UpstreamError(
            "The payment provider could not start this payment, so nothing was charged. "
            "Please try again shortly.",
            code="paystack_unavailable",
            extra={"reference": donation.reference},
        ) from exc

    _checkout_started(
        donation,
        access_code=started.access_code[:100],
        authorization_url=started.authorization_url[:500],
    )
    donation.paystack_access_code = started.access_code[:100]
    donation.authorization_url = started.authorization_url[:500]
    logger.info(
        "donation initialized",
        extra={
            "donation_id": str(donation.pk),
            "donation_reference": donation.reference,
            "campaign_id": str(target.pk),
            "amount": donation.charged_amount,
            "currency": currency,
        },
    )
    return donation


def _checkout_started(donation: Donation, *, access_code: str, authorization_url: str) -> None:
    """Store Paystack's checkout on the donation with its `checkout_started` timeline
    entry, both or neither (through the one timeline writer, apps/core/timeline.py)."""
    with transaction.atomic(durable=True):
        Donation.objects.filter(pk=donation.pk).update(
            paystack_access_code=access_code,
            authorization_url=authorization_url,
            updated_at=timezone.now(),
        )
        donation_event_record(
            donation=donation,
            type=E.CHECKOUT_STARTED,
            source="paystack",
            data={"access_code": access_code},
        )


def _initialize_failed(donation: Donation, error: str) -> None:
    with transaction.atomic(durable=True):
        locked = lock_donation(donation.pk)
        if locked.status == S.PENDING:
            locked.failure_reason = f"Paystack initialize failed: {error}"[:500]
            fields = status_change(
                locked, to=S.FAILED, type=E.INITIALIZE_FAILED, source="paystack", error=error
            )
            locked.save(update_fields=[*fields, "failure_reason"])
    donation.refresh_from_db()
    logger.warning(
        "donation initialize failed: %s",
        error,
        extra={"donation_id": str(donation.pk), "donation_reference": donation.reference},
    )
