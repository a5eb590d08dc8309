import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class BaseModel(models.Model):
    """UUID primary key and creation/update times, for every domain model."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(BaseModel):
    """A client's `Idempotency-Key` for one endpoint (`scope`) and what we answered.

    Inserted before the work starts (the unique index makes a concurrent request with
    the same key wait and then find it); the answer is stored when the work succeeds. A
    failed request deletes its key, so the client may retry with it.
    """

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    locked_until = models.DateTimeField(help_text="An unfinished request owns the key until then.")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class JobRun(models.Model):
    """One scheduled job's latest runs, one row per job (its Celery task name).

    Written by `apps.core.jobs`: a run that took the job's lock and finished records its
    success (time, duration, result), one that raised records its failure. A run skipped
    because another held the lock records nothing. The staff status endpoint shows how
    long ago each job last succeeded.
    """

    name = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_result = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    successes = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = "scheduled job run"

    def __str__(self) -> str:
        return self.name
