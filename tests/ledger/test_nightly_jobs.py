"""The nightly ledger_check job: quiet when all is well, an email to staff (and a failed
run) on any difference; who the staff are. audit_verify: tests/audit/test_nightly_job.py."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from apps.core.models import JobRun
from apps.ledger.models import Account, AccountKind
from apps.ledger.tasks import ledger_check
from apps.notifications.checks import NightlyCheckFailed
from apps.notifications.services import staff_alert_recipients
from tests.factories import StaffFactory, UserFactory
from tests.ledger.test_check import seed_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    boss = UserFactory(email="root@krogiving.test", is_superuser=True, is_staff=True)
    admin = StaffFactory(email="admin@krogiving.test")
    admin.groups.add(Group.objects.get_or_create(name="Superadmins")[0])
    StaffFactory(email="reviewer@krogiving.test")  # not told
    UserFactory(email="gone@krogiving.test", is_superuser=True, is_active=False)
    return [boss.email, admin.email]


def test_recipients_are_superusers_and_superadmins_or_the_setting(staff, settings):
    assert staff_alert_recipients() == sorted(staff)
    settings.STAFF_ALERT_EMAILS = ["ops@krogiving.test"]
    assert staff_alert_recipients() == ["ops@krogiving.test"]


def test_passing_checks_email_nobody(staff):
    assert ledger_check.delay().get() == "ledger_check: no differences"
    assert mail.outbox == []
    assert JobRun.objects.get(name="ledger.check").successes == 1


def _break_the_ledger() -> None:
    """A cached balance that no longer matches its entries (as a bad manual fix leaves)."""
    naira, _ = seed_ledger()
    available = Account.objects.get(campaign=naira, kind=AccountKind.CAMPAIGN_AVAILABLE)
    Account.objects.filter(pk=available.pk).update(balance=available.balance + 1)


def test_a_ledger_difference_emails_staff_and_fails_the_run(
    staff, django_capture_on_commit_callbacks
):
    _break_the_ledger()
    with django_capture_on_commit_callbacks(execute=True):
        result = ledger_check.apply()

    assert isinstance(result.result, NightlyCheckFailed)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(staff)
    assert all(m.subject.startswith("[KROGiving] ledger_check FAILED") for m in mail.outbox)
    assert "DIFFERENCE" in mail.outbox[0].body
    run = JobRun.objects.get(name="ledger.check")
    assert (run.successes, run.failures, run.last_success_at) == (0, 1, None)
