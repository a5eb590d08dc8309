from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import RequestFactory

from apps.audit.models import AdminLog
from apps.audit.services import audit_log
from tests.factories import StaffFactory

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL trigger or lock"
)


@pytest.fixture
def actor(db):
    return StaffFactory(email="approver@krogiving.test")


@pytest.fixture
def chain(actor) -> list[AdminLog]:
    """Five entries as services write them: staff and system, with and without a request."""
    request = RequestFactory().post(
        "/v1/admin/campaigns/1/status",
        HTTP_USER_AGENT="Mozilla/5.0 (staff console)",
        REMOTE_ADDR="203.0.113.7",
    )
    request.user = actor
    return [
        audit_log(
            actor=actor,
            action="campaign.approve",
            target_type="campaign",
            target_id="c-1",
            before={"status": "pending_review"},
            after={"status": "active"},
            request=request,
        ),
        audit_log(
            actor=actor,
            action="settings.update",
            target_type="platform_settings",
            target_id="1",
            before={"withdrawal_cap": {"NGN": 50_000_000}},
            after={"withdrawal_cap": {"NGN": 100_000_000}},
            ip_address="2001:db8::7",
        ),
        audit_log(
            actor=None,
            action="campaign.end",
            target_type="campaign",
            target_id="c-2",
            before={"status": "active"},
            after={"status": "ended"},
        ),
        audit_log(
            actor=actor,
            action="payout.approve",
            target_type="withdrawal",
            target_id="w-9",
            after={"amount": 2_500_000, "currency": "NGN"},
            request=request,
        ),
        audit_log(
            actor=actor,
            action="campaign.suspend",
            target_type="campaign",
            target_id="c-1",
            before={"status": "active"},
            after={"status": "suspended", "reason": "reported"},
            request=request,
        ),
    ]


@contextmanager
def triggers_disabled() -> Iterator:
    """What a database superuser can do: switch the append-only triggers off, then write.

    `SET LOCAL` ends with the test's transaction, so later tests get the triggers back.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield cursor
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
