"""Bank accounts organisers are paid to, their withdrawal requests, and each request's
timeline.

Amounts are integers in minor units of the campaign's currency. A bank account keeps no
full account number: the last four digits to show, a keyed fingerprint to tell one
account from another, and Paystack's transfer recipient code, which is what a transfer
pays to.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel

REASON_MAX_LENGTH = 500


class BankAccount(BaseModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bank_accounts"
    )
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    bank_code = models.CharField(max_length=20)
    bank_name = models.CharField(max_length=200, blank=True)
    account_last4 = models.CharField(max_length=4)
    account_fingerprint = models.CharField(
        max_length=64, help_text="HMAC of bank code and account number; tells duplicates apart."
    )
    account_name = models.CharField(max_length=200, help_text="As the bank holds it.")
    recipient_code = models.CharField(max_length=64, help_text="Paystack transfer recipient.")
    is_active = models.BooleanField(default=True, help_text="False once the owner removed it.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "account_fingerprint"],
                condition=Q(is_active=True),
                name="bank_account_unique_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name or self.bank_code} ******{self.account_last4}"

    @property
    def masked_number(self) -> str:
        return f"******{self.account_last4}"


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested"  # funds held, waiting for staff
    APPROVED = "approved"  # approved with a fresh code; the transfer is being sent
    PROCESSING = "processing"  # Paystack has the transfer
    COMPLETED = "completed"  # paid out
    FAILED = "failed"  # Paystack failed or reversed it; funds released
    REJECTED = "rejected"  # staff said no; funds released
    CANCELLED = "cancelled"  # the organiser withdrew it; funds released


OPEN_STATUSES = (
    WithdrawalStatus.REQUESTED,
    WithdrawalStatus.APPROVED,
    WithdrawalStatus.PROCESSING,
)


class Withdrawal(BaseModel):
    reference = models.CharField(
        max_length=50, unique=True, help_text="Our Paystack transfer reference."
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="withdrawals"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals"
    )
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="withdrawals"
    )
    amount = models.BigIntegerField()
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who approved or rejected it.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    transfer_code = models.CharField(max_length=64, blank=True)
    transfer_status = models.CharField(
        max_length=20, blank=True, help_text="Paystack's last word on the transfer."
    )
    paystack_transfer_id = models.BigIntegerField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    needs_review = models.BooleanField(default=False, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_withdrawal", "Can approve and reject payouts")]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="withdrawal_status_age"),
            models.Index(fields=["campaign", "status"], name="withdrawal_campaign_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="withdrawal_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in WithdrawalStatus]),
                name="withdrawal_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class WithdrawalEventType(models.TextChoices):
    REQUESTED = "requested", "Requested (funds held)"
    CANCELLED = "cancelled", "Cancelled by the organiser"
    APPROVED = "approved", "Approved by staff"
    REJECTED = "rejected", "Rejected by staff"
    TRANSFER_ATTEMPT = "transfer_attempt", "Transfer attempt"
    TRANSFER_SENT = "transfer_sent", "Transfer sent to Paystack"
    OTP_REQUIRED = "otp_required", "Paystack asks for the transfer OTP"
    FINALIZED = "finalized", "Transfer OTP given"
    TRANSFER_UPDATED = "transfer_updated", "Transfer status reported by Paystack"
    COMPLETED = "completed", "Paid out"
    FAILED = "failed", "Transfer failed or reversed"
    FLAGGED_FOR_REVIEW = "flagged_for_review", "Flagged for staff review"


class WithdrawalEvent(models.Model):
    """One entry of a withdrawal's timeline; written once, never changed."""

    id = models.BigAutoField(primary_key=True)
    withdrawal = models.ForeignKey(Withdrawal, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=30, choices=WithdrawalEventType.choices)
    source = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["withdrawal", "id"]
        indexes = [models.Index(fields=["withdrawal", "id"], name="withdrawal_event_timeline")]

    def __str__(self) -> str:
        return f"{self.withdrawal_id} {self.type}"
