"""Every Paystack call and every Paystack webhook leaves a row.

`PaystackCall`: one row per client call (retries counted in `attempts`), without the
secret key, card or bank data. `PaystackEvent`: one row per distinct webhook body,
stored before it is applied. The offline sandbox keeps its own state in
`apps.paystack_sandbox`.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


class PaystackCall(BaseModel):
    """One call to the Paystack API through `PaystackClient`: what, how it went, how long."""

    operation = models.CharField(max_length=64, help_text="Client method, e.g. verify_transaction.")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255, help_text="Path without the query string.")
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=1)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    response_summary = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="Paystack's answer, pruned: no card or bank details, long lists cut.",
    )
    sandbox = models.BooleanField(default=False)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "Paystack API call"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["operation", "created_at"], name="paystack_call_op_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status_code or '-'}"


class PaystackEvent(BaseModel):
    """A webhook Paystack sent us, stored before it is applied.

    One row per distinct raw body (`body_sha256` is unique): Paystack redelivers an
    event until we answer 200, and a redelivery of the same bytes only bumps
    `deliveries`. Handlers must be idempotent anyway: the same change can reach us in
    two different bodies (a redelivery with other fields, or the verify path).
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"
        DUPLICATE = "duplicate", "Duplicate"

    event_type = models.CharField(max_length=100, db_index=True)
    reference = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="data.reference (data.transaction_reference for refunds).",
    )
    paystack_id = models.CharField(max_length=64, blank=True, help_text="data.id")
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    body_sha256 = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    last_received_at = models.DateTimeField()
    deliveries = models.PositiveIntegerField(default=1)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    processing_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while a worker applies the event (a lease, so a crash is retried).",
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Paystack webhook event"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["outcome", "received_at"], name="paystack_event_outcome_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["pending", "applied", "ignored", "failed", "duplicate"]),
                name="paystack_event_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.reference} ({self.outcome})"

    @property
    def data(self) -> dict:
        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        return data if isinstance(data, dict) else {}
