from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from apps.core.models import BaseModel


class Notification(BaseModel):
    """One email or SMS: what was asked for, and what became of it.

    `context` holds only the non-secret template variables; one-time codes travel to
    the delivery task as secret context and are never stored here.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=100)
    recipient = models.CharField(max_length=254, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider = models.CharField(
        max_length=50, blank=True, help_text="Who delivered it: sendgrid, termii, console..."
    )
    provider_message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True, help_text="The last error, if any.")
    attempts = models.PositiveIntegerField(default=0)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while a delivery run is sending it; a claim older than the lease "
        "(a run that died) can be taken over.",
    )
    requeued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the re-send job enqueued it again (a lost task); at most once.",
    )
    has_secret_context = models.BooleanField(
        default=False,
        help_text="Sent with a one-time code or other secret that is not stored: the "
        "re-send job cannot send it again.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="notif_status_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]), name="notif_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sent", "failed"]),
                name="notif_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template} to {self.recipient} ({self.status})"
