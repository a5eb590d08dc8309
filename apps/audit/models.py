"""The tamper-evident record of what staff and the system did.

Each `AdminLog` row carries the hash of the row before it (`prev_hash`) and a hash over
its own content (`hash`, see `apps.audit.chain`), so editing, deleting or reordering
history breaks the chain where it happened and `manage.py audit_verify` names the spot.
`AuditChainHead` is a one-row table holding the last sequence and hash: writers lock it
to append one at a time, and it lets the verifier notice a deleted last row.

Rows are never changed or removed through the application (the model, its queryset and
the admin all refuse), and on PostgreSQL a trigger refuses UPDATE and DELETE as well.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

USER_AGENT_MAX_LENGTH = 512
HEAD_ID = 1


class AuditLogImmutableError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AdminLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutableError("Audit log entries are never updated.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogImmutableError("Audit log entries are never updated.")

    def delete(self):
        raise AuditLogImmutableError("Audit log entries are never deleted.")

    # Django's convention: not copied onto the manager. The stubs do not know it.
    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AdminLog(models.Model):
    """One action: who did what to which object, with the state before and after."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # PROTECT: deleting an account would otherwise rewrite (SET_NULL) or remove
    # (CASCADE) its history. Accounts that acted are suspended or deactivated instead.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admin_logs",
        help_text="Empty for actions of the system (scheduled jobs, commands).",
    )
    # Kept as written, so the record reads the same after the account's email changes.
    actor_email = models.CharField(max_length=254, blank=True, db_index=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AdminLogQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["created_at"], name="audit_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="audit_sequence_gte_1"
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_email or "system"
        return f"#{self.sequence} {who} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutableError("Audit log entries are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutableError("Audit log entries are never deleted.")


class AuditChainHead(models.Model):
    """The end of the chain: one row, locked by every writer while it appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_ID)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=HEAD_ID), name="audit_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_sequence}"
