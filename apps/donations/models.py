"""Donations, their refunds, the per-donor leaderboard aggregate and idempotency keys.

Amounts are integers in minor units. A donation carries two sets of amounts: what the
donor chose and was charged, in the donation's `currency`, and the same split in the
campaign's currency (`*_campaign`), converted once at initialize with the platform's
adjusted rate (kept in `fx_rate`, with the stored rate it came from).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q

from apps.core.models import BaseModel

MESSAGE_MAX_LENGTH = 500
NAME_MAX_LENGTH = 100
REASON_MAX_LENGTH = 500
ANONYMOUS_NAME = "Anonymous"


class DonationStatus(models.TextChoices):
    PENDING = "pending"  # initialized, waiting for Paystack
    SUCCEEDED = "succeeded"  # credited (also while partly refunded)
    FAILED = "failed"  # Paystack said the charge failed, or initialize failed
    ABANDONED = "abandoned"  # stale: never paid (the reconciler)
    REFUNDED = "refunded"  # refunded in full


class Donation(BaseModel):
    reference = models.CharField(max_length=64, unique=True, help_text="Our Paystack reference.")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="donations"
    )
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="donations",
        help_text="The signed-in user who gave, if any.",
    )
    email = models.EmailField(help_text="Lower-cased; one email is one donor.")
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    anonymous = models.BooleanField(default=False)
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)

    # What the donor chose and is charged, in the donation's currency.
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(help_text="The gift, in the donation's currency.")
    fee_amount = models.BigIntegerField(default=0)
    tip_amount = models.BigIntegerField(default=0)
    cover_fee = models.BooleanField(default=False)
    charged_amount = models.BigIntegerField(help_text="gift + tip (+ fee when covered).")

    # The same split in the campaign's currency; what the ledger and raised_amount use.
    campaign_currency = models.ForeignKey(
        "currency.Currency", on_delete=models.PROTECT, related_name="+"
    )
    gift_campaign = models.BigIntegerField()
    fee_campaign = models.BigIntegerField(default=0)
    tip_campaign = models.BigIntegerField(default=0)
    net_campaign = models.BigIntegerField()
    fx_rate = models.DecimalField(
        max_digits=40,
        decimal_places=20,
        null=True,
        blank=True,
        help_text="Adjusted rate (campaign currency per donation currency), when they differ.",
    )
    fx_market_rate = models.DecimalField(max_digits=40, decimal_places=20, null=True, blank=True)
    fx_rate_ref = models.ForeignKey(
        "currency.ExchangeRate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The stored rate used (the first leg of a cross rate).",
    )
    fx_source = models.CharField(max_length=100, blank=True)

    status = models.CharField(
        max_length=10, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    refunded_amount = models.BigIntegerField(
        default=0, help_text="Refunds settled so far, in the donation's currency."
    )
    refunded_gift_campaign = models.BigIntegerField(
        default=0, help_text="Of the gift, how much settled refunds took back (campaign currency)."
    )
    needs_review = models.BooleanField(default=False, db_index=True)
    review_reason = models.TextField(blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)

    paystack_access_code = models.CharField(max_length=100, blank=True)
    authorization_url = models.URLField(max_length=500, blank=True)
    paystack_transaction_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=30, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    settled_via = models.CharField(
        max_length=20, blank=True, help_text="webhook, verify, reconciler or import (offline)."
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    organizer_notice_pending = models.BooleanField(
        default=False,
        help_text="Credited, and the organiser not told yet: the next coalesced notice "
        "counts it (one notice per campaign per ORGANIZER_NOTICE_INTERVAL_SECONDS).",
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("refund_donation", "Can refund donations"),
            ("import_donation", "Can import offline donations (bank transfers)"),
        ]
        indexes = [
            # Public list (recent succeeded) and trending (succeeded in the last 7 days).
            models.Index(fields=["campaign", "status", "-paid_at"], name="donation_campaign_paid"),
            # The reconciler: stale pending donations, oldest first.
            models.Index(fields=["status", "created_at"], name="donation_status_created"),
            # Distinct donors of a campaign.
            models.Index(fields=["campaign", "email", "status"], name="donation_campaign_email"),
            models.Index(fields=["email"], name="donation_email"),
            # The organiser notices: only the few donations not counted yet.
            models.Index(
                fields=["campaign", "id"],
                name="donation_notice_pending",
                condition=Q(organizer_notice_pending=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0) & Q(tip_amount__gte=0),
                name="donation_fee_tip_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(charged_amount__gte=F("amount")), name="donation_charged_covers_gift"
            ),
            models.CheckConstraint(
                condition=Q(gift_campaign__gt=0) & Q(net_campaign__gt=0),
                name="donation_campaign_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("charged_amount")),
                name="donation_refunded_within_charged",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DonationStatus]),
                name="donation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def total_campaign(self) -> int:
        """What the charge is worth in the campaign's currency: net + fee + tip."""
        return self.net_campaign + self.fee_campaign + self.tip_campaign

    @property
    def gift_remaining(self) -> int:
        """The gift less what refunds took back, in the campaign's currency."""
        return self.gift_campaign - self.refunded_gift_campaign

    @property
    def public_name(self) -> str:
        if self.anonymous:
            return ANONYMOUS_NAME
        return self.name or donor_fallback_name(self.donor)


def donor_fallback_name(user) -> str:
    """A named donor who left the name blank: the account's name, never the email."""
    full_name = (getattr(user, "full_name", "") or "").strip() if user is not None else ""
    return full_name or "A kind donor"


class RefundStatus(models.TextChoices):
    PENDING = "pending"  # asked of Paystack; waiting for refund.processed
    PROCESSED = "processed"  # settled in the ledger
    FAILED = "failed"  # Paystack refused or could not be reached


class DonationRefund(BaseModel):
    """A refund staff asked for. `amount` is in the donation's currency (what goes back to
    the donor); the `*_part` fields are what it takes back, in the campaign's currency."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    net_part = models.BigIntegerField(help_text="From the campaign's available balance.")
    fee_part = models.BigIntegerField(default=0, help_text="Platform fee given back.")
    tip_part = models.BigIntegerField(default=0, help_text="Tip given back.")
    gift_part = models.BigIntegerField(help_text="What raised_amount goes down by.")
    completes = models.BooleanField(
        default=False, help_text="Refunds everything that was left of the donation."
    )
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    paystack_refund_id = models.CharField(max_length=64, blank=True, db_index=True)
    paystack_refund_reference = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="Paystack's refund_reference, from its refund events once it has one.",
    )
    paystack_status = models.CharField(max_length=30, blank=True)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(net_part__gt=0) & Q(fee_part__gte=0) & Q(tip_part__gte=0),
                name="refund_parts_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RefundStatus]),
                name="refund_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency_id} of {self.donation_id} ({self.status})"


class DonationEventType(models.TextChoices):
    """What happened to a donation. Every status change, review flag, refund step and
    settlement attempt writes one, in the transaction that makes the change."""

    CREATED = "created", "Created (pending)"
    CHECKOUT_STARTED = "checkout_started", "Checkout started at Paystack"
    INITIALIZE_FAILED = "initialize_failed", "Paystack could not start the checkout"
    SETTLEMENT_ATTEMPT = "settlement_attempt", "Settlement attempt"
    SUCCEEDED = "succeeded", "Payment confirmed and credited"
    FAILED = "failed", "Payment failed"
    ABANDONED = "abandoned", "Abandoned (never paid)"
    FLAGGED_FOR_REVIEW = "flagged_for_review", "Flagged for staff review"
    REVIEW_CLEARED = "review_cleared", "Review flag cleared (settled cleanly)"
    REFUND_REQUESTED = "refund_requested", "Refund requested"
    REFUND_UPDATED = "refund_updated", "Refund status reported by Paystack"
    REFUND_FAILED = "refund_failed", "Refund failed"
    REFUND_PROCESSED = "refund_processed", "Refund processed"
    REFUNDED = "refunded", "Refunded in full"


class DonationEvent(models.Model):
    """One entry of a donation's timeline; written once, never changed.

    `source` says where the word came from (api, webhook, verify, reconciler, staff,
    paystack); `actor` is the staff member or donor who acted, when a person did; `data`
    holds the details (old and new status, amounts, Paystack's answer, the reason).
    """

    id = models.BigAutoField(primary_key=True)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=30, choices=DonationEventType.choices)
    source = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["donation", "id"]
        indexes = [models.Index(fields=["donation", "id"], name="donation_event_timeline")]

    def __str__(self) -> str:
        return f"{self.donation_id} {self.type}"


class DonorAggregate(BaseModel):
    """One leaderboard row: a donor's succeeded giving to one campaign.

    `donor_key` is `email:<lower email>` for named giving, and `anonymous:<donation id>`
    for each anonymous donation, so anonymous donors are never merged. `total` is in the
    campaign's currency (gifts, less refunded gifts). Kept in the settlement and refund
    transactions, under the campaign's row lock.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="donor_aggregates"
    )
    donor_key = models.CharField(max_length=300)
    display_name = models.CharField(max_length=NAME_MAX_LENGTH)
    anonymous = models.BooleanField(default=False)
    total = models.BigIntegerField(default=0)
    donation_count = models.PositiveIntegerField(default=0)
    first_donated_at = models.DateTimeField()
    last_donated_at = models.DateTimeField()

    class Meta:
        ordering = ["-total", "first_donated_at"]
        indexes = [
            models.Index(
                fields=["campaign", "-total", "first_donated_at"], name="donor_aggregate_top"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "donor_key"], name="donor_aggregate_unique_donor"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="donor_aggregate_total_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.total}"
