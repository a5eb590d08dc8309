"""The offline Paystack's state: transactions, refunds, transfer recipients, transfers.

Only the sandbox writes these rows; they exist where the sandbox app is installed (never
in production).
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from apps.core.models import BaseModel


class SandboxTransaction(BaseModel):
    """A transaction initialized on the offline Paystack."""

    class Status(models.TextChoices):
        # Paystack reports an initialized, unpaid transaction as "abandoned".
        ABANDONED = "abandoned", "Initialized, not paid"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        REVERSED = "reversed", "Reversed"

    paystack_id = models.BigIntegerField(unique=True)
    reference = models.CharField(max_length=100, unique=True)
    access_code = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    callback_url = models.URLField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    channels = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ABANDONED)
    gateway_response = models.CharField(max_length=100, default="The transaction was not completed")
    channel = models.CharField(max_length=20, blank=True)
    fees = models.BigIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sandbox transaction {self.reference} ({self.status})"


class SandboxRefund(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"

    paystack_id = models.BigIntegerField(unique=True)
    transaction = models.ForeignKey(
        SandboxTransaction, on_delete=models.CASCADE, related_name="refunds"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    merchant_note = models.CharField(max_length=500, blank=True)
    customer_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sandbox refund {self.paystack_id} of {self.transaction.reference}"


class SandboxRecipient(BaseModel):
    paystack_id = models.BigIntegerField(unique=True)
    recipient_code = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    account_number = models.CharField(max_length=20)
    bank_code = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.recipient_code


class SandboxTransfer(BaseModel):
    class Status(models.TextChoices):
        OTP = "otp", "Awaiting OTP"
        PENDING = "pending", "Pending"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        REVERSED = "reversed", "Reversed"

    paystack_id = models.BigIntegerField(unique=True)
    reference = models.CharField(max_length=100, unique=True)
    transfer_code = models.CharField(max_length=64, unique=True)
    recipient = models.ForeignKey(
        SandboxRecipient, on_delete=models.PROTECT, related_name="transfers"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    transferred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sandbox transfer {self.reference} ({self.status})"
