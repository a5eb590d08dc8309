"""History is never changed or removed: not by the model, the queryset, the admin, nor
(on PostgreSQL) by raw SQL while the triggers are on."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AdminLog, AuditChainHead, AuditLogImmutableError
from tests.audit.conftest import requires_postgresql
from tests.factories import UserFactory
from tests.staff import console_client

pytestmark = pytest.mark.django_db


def test_saving_an_existing_entry_is_refused(chain):
    entry = AdminLog.objects.get(sequence=2)
    entry.after = {"withdrawal_cap": {"NGN": 1}}
    with pytest.raises(AuditLogImmutableError):
        entry.save()
    assert AdminLog.objects.get(sequence=2).after == {"withdrawal_cap": {"NGN": 100_000_000}}


def test_deleting_an_entry_is_refused(chain):
    with pytest.raises(AuditLogImmutableError):
        AdminLog.objects.get(sequence=2).delete()
    assert AdminLog.objects.count() == 5


def test_queryset_update_is_refused(chain):
    with pytest.raises(AuditLogImmutableError):
        AdminLog.objects.filter(sequence=2).update(action="nothing.happened")
    with pytest.raises(AuditLogImmutableError):
        AdminLog.objects.all().update(after=None)
    assert AdminLog.objects.get(sequence=2).action == "settings.update"


def test_queryset_delete_is_refused(chain):
    with pytest.raises(AuditLogImmutableError):
        AdminLog.objects.filter(action="payout.approve").delete()
    with pytest.raises(AuditLogImmutableError):
        AdminLog.objects.all().delete()
    assert AdminLog.objects.count() == 5


def test_bulk_update_is_refused(chain):
    entries = list(AdminLog.objects.all())
    for entry in entries:
        entry.target_id = "x"
    with pytest.raises(AuditLogImmutableError):
        AdminLog.objects.bulk_update(entries, ["target_id"])
    assert not AdminLog.objects.filter(target_id="x").exists()


@requires_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_adminlog SET target_id = 'other' WHERE sequence = 2",
        "UPDATE audit_adminlog SET hash = hash",
        "DELETE FROM audit_adminlog WHERE sequence = 5",
        "DELETE FROM audit_adminlog",
    ],
)
def test_the_database_refuses_raw_changes(chain, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AdminLog.objects.count() == 5
    assert AdminLog.objects.get(sequence=2).target_id == "1"


@requires_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditchainhead SET last_sequence = 4",
        "UPDATE audit_auditchainhead SET last_hash = repeat('0', 64)",
        "UPDATE audit_auditchainhead SET last_sequence = 6, last_hash = repeat('a', 64)",
        "DELETE FROM audit_auditchainhead",
    ],
)
def test_the_database_refuses_moving_the_head_anywhere_but_the_new_entry(chain, statement):
    with (
        pytest.raises(DatabaseError, match="chain head"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (5, chain[-1].hash)


class TestStaffConsole:
    """The Django admin shows the log, filters and searches it, and changes nothing."""

    @pytest.fixture
    def console(self, client):
        superuser = UserFactory(email="root@krogiving.test", is_staff=True, is_superuser=True)
        return console_client(superuser, client)

    def test_lists_filters_and_searches(self, console, chain):
        listing = console.get("/admin/audit/adminlog/")
        assert listing.status_code == 200
        assert b"payout.approve" in listing.content
        filtered = console.get("/admin/audit/adminlog/", {"action__exact": "payout.approve"})
        assert filtered.status_code == 200
        assert list(filtered.context["cl"].result_list) == [AdminLog.objects.get(sequence=4)]
        searched = console.get("/admin/audit/adminlog/", {"q": "platform_settings"})
        assert [e.sequence for e in searched.context["cl"].result_list] == [2]
        by_type = console.get("/admin/audit/adminlog/", {"target_type": "campaign"})
        assert [e.sequence for e in by_type.context["cl"].result_list] == [5, 3, 1]

    def test_shows_an_entry_read_only(self, console, chain):
        entry = chain[1]
        page = console.get(f"/admin/audit/adminlog/{entry.pk}/change/")
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert entry.hash.encode() in page.content

    def test_cannot_add_change_or_delete_even_as_superuser(self, console, chain):
        entry = chain[1]
        assert console.get("/admin/audit/adminlog/add/").status_code == 403
        changed = console.post(
            f"/admin/audit/adminlog/{entry.pk}/change/",
            {"action": "nothing.happened", "target_id": "x"},
        )
        assert changed.status_code == 403
        assert (
            console.post(f"/admin/audit/adminlog/{entry.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        bulk = console.post(
            "/admin/audit/adminlog/",
            {"action": "delete_selected", "_selected_action": [str(entry.pk)], "post": "yes"},
        )
        assert bulk.status_code in {200, 302}
        assert AdminLog.objects.count() == 5
        assert AdminLog.objects.get(pk=entry.pk).action == "settings.update"
