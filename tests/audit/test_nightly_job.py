"""The nightly audit_verify job: quiet on an intact chain, an email to staff when broken."""

import pytest
from django.core import mail

from apps.audit.tasks import audit_verify
from apps.core.models import JobRun
from apps.notifications.checks import NightlyCheckFailed
from tests.audit.conftest import requires_postgresql, triggers_disabled
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, requires_postgresql]


def test_an_intact_chain_emails_nobody(chain):
    UserFactory(is_superuser=True, is_staff=True)
    assert audit_verify.delay().get().startswith("audit chain OK: 5 entries")
    assert mail.outbox == []


def test_a_broken_chain_emails_staff_and_fails_the_run(
    chain, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_ALERT_EMAILS = ["ops@krogiving.test", "cto@krogiving.test"]
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_adminlog SET hash = %s WHERE sequence = 2", ["f" * 64])

    with django_capture_on_commit_callbacks(execute=True):
        result = audit_verify.apply()

    assert isinstance(result.result, NightlyCheckFailed)
    assert sorted(m.to[0] for m in mail.outbox) == ["cto@krogiving.test", "ops@krogiving.test"]
    assert "audit_verify FAILED: audit chain BROKEN" in mail.outbox[0].subject
    assert "entry sequence 2" in mail.outbox[0].body
    run = JobRun.objects.get(name="audit.verify")
    assert (run.failures, run.last_success_at) == (1, None)
