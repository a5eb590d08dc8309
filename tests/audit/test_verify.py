"""`manage.py audit_verify` passes on an intact chain and names the first broken link.

The tampering is done the way a database superuser would do it: triggers switched off,
then raw SQL.
"""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from apps.audit.chain import entry_hash
from apps.audit.models import AdminLog
from apps.audit.services import audit_log
from tests.audit.conftest import requires_postgresql, triggers_disabled

pytestmark = [pytest.mark.django_db, requires_postgresql]


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_an_intact_chain_passes(chain):
    output = verify()
    assert "audit chain OK: 5 entries, last sequence 5" in output
    assert chain[-1].hash in output


def test_an_empty_log_passes():
    assert "no entries yet" in verify()


def test_small_chunks_walk_the_same_chain(chain):
    assert "5 entries" in verify("--chunk-size", "2")


@pytest.mark.parametrize(
    ("column", "value_sql", "sequence"),
    [
        ("after", """'{"status": "ended", "reason": "quietly changed"}'::jsonb""", 3),
        ("before", "NULL", 3),
        ("action", "'campaign.approve'", 3),
        ("target_type", "'withdrawal'", 3),
        ("target_id", "'c-999'", 3),
        ("actor_email", "'someone-else@krogiving.test'", 4),
        ("actor_id", "NULL", 4),
        ("ip_address", "'198.51.100.77'", 4),
        ("user_agent", "'curl/8.0'", 4),
        ("created_at", "created_at + interval '1 microsecond'", 3),
        ("id", "gen_random_uuid()", 3),
    ],
)
def test_an_edited_field_is_caught_at_its_entry(chain, column, value_sql, sequence):
    verify()
    with triggers_disabled() as cursor:
        cursor.execute(
            f"UPDATE audit_adminlog SET {column} = {value_sql} WHERE sequence = %s", [sequence]
        )
    with pytest.raises(CommandError) as caught:
        verify()
    message = str(caught.value)
    assert f"entry sequence {sequence} (id {AdminLog.objects.get(sequence=sequence).id}" in message
    assert "content does not match its hash" in message
    assert f"after {sequence - 1} good entries" in message


def test_an_edit_with_a_recomputed_hash_is_caught_at_the_next_entry(chain):
    with triggers_disabled() as cursor:
        cursor.execute(
            """UPDATE audit_adminlog SET after = '{"status": "ended", "note": "forged"}'::jsonb
               WHERE sequence = 3"""
        )
        forged = AdminLog.objects.get(sequence=3)
        cursor.execute(
            "UPDATE audit_adminlog SET hash = %s WHERE sequence = 3", [entry_hash(forged)]
        )
    with pytest.raises(CommandError, match=r"entry sequence 4 .*prev_hash .* entry 3"):
        verify()


def test_a_forged_hash_is_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_adminlog SET hash = %s WHERE sequence = 2", ["f" * 64])
    with pytest.raises(CommandError, match=r"entry sequence 2 .*content does not match"):
        verify()


def test_reordered_entries_are_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_adminlog SET sequence = 1000 WHERE sequence = 2")
        cursor.execute("UPDATE audit_adminlog SET sequence = 2 WHERE sequence = 3")
        cursor.execute("UPDATE audit_adminlog SET sequence = 3 WHERE sequence = 1000")
    with pytest.raises(CommandError, match="entry sequence 2 "):
        verify()


def test_a_deleted_entry_in_the_middle_is_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_adminlog WHERE sequence = 3")
    with pytest.raises(CommandError) as caught:
        verify()
    message = str(caught.value)
    assert "sequence 3 missing" in message
    assert f"entry sequence 4 (id {chain[3].id}" in message


def test_a_deleted_last_entry_is_caught_by_the_head(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_adminlog WHERE sequence = 5")
    with pytest.raises(
        CommandError, match="head records sequence 5 but the last entry is sequence 4"
    ):
        verify()


def test_a_deleted_first_entry_is_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_adminlog WHERE sequence = 1")
    with pytest.raises(CommandError, match="sequence 1 missing"):
        verify()


def test_a_renumbered_chain_after_a_deletion_is_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_adminlog WHERE sequence = 3")
        cursor.execute("UPDATE audit_adminlog SET sequence = sequence - 1 WHERE sequence > 3")
    with pytest.raises(CommandError, match="entry sequence 3 "):
        verify()


def test_a_tampered_head_is_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s", ["0" * 64])
    with pytest.raises(CommandError, match=r"chain head .* does not match the last entry"):
        verify()


def test_a_deleted_head_is_caught(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(CommandError, match="chain head record is missing"):
        verify()


def test_an_anchor_catches_a_truncated_chain_with_a_rewound_head(chain):
    """Deleting the tail and rewinding the head leaves a consistent chain; an anchor
    recorded outside the database (an earlier run's summary) still catches it."""
    anchor = f"5:{chain[4].hash}"
    assert "5 entries" in verify("--anchor", anchor)
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_adminlog WHERE sequence = 5")
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_sequence = 4, last_hash = %s", [chain[3].hash]
        )
    assert "4 entries" in verify()
    with pytest.raises(CommandError, match="anchored sequence 5 is beyond the last entry"):
        verify("--anchor", anchor)


def test_an_anchor_catches_a_rewritten_entry(chain):
    with pytest.raises(CommandError, match=r"entry sequence 2 .* differs from the anchor"):
        verify("--anchor", f"2:{'a' * 64}")


def test_a_malformed_anchor_is_refused(chain):
    with pytest.raises(CommandError, match="SEQUENCE:SHA256HEX"):
        verify("--anchor", "two:abc")


def test_disabling_the_trigger_with_alter_table_is_caught_too(chain):
    with connection.cursor() as cursor:
        # ALTER TABLE waits for the deferred foreign-key checks of the inserts above
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_adminlog DISABLE TRIGGER audit_adminlog_append_only")
        cursor.execute("DELETE FROM audit_adminlog WHERE sequence = 2")
        cursor.execute("ALTER TABLE audit_adminlog ENABLE TRIGGER audit_adminlog_append_only")
    with pytest.raises(CommandError, match="sequence 2 missing"):
        verify()


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_on_a_broken_chain():
    for number in range(3):
        audit_log(actor=None, action="campaign.end", target_type="campaign", target_id=str(number))
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "krogiving.settings_test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
    }

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "audit_verify"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    intact = run()
    assert intact.returncode == 0, intact.stderr
    assert "audit chain OK: 3 entries" in intact.stdout

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute("UPDATE audit_adminlog SET target_id = 'other' WHERE sequence = 2")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    broken = run()
    assert broken.returncode != 0
    assert "entry sequence 2" in broken.stderr
