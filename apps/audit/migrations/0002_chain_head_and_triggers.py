"""The chain head row, and on PostgreSQL the triggers that keep history append-only.

The triggers stop UPDATE and DELETE of audit rows from any client, raw SQL included.
A superuser can still switch them off (ALTER TABLE ... DISABLE TRIGGER, or
session_replication_role = replica); `manage.py audit_verify` catches what is done then.
"""

from django.db import migrations

GENESIS_HASH = "0" * 64

ADMINLOG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_adminlog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % of entry % refused', TG_OP, OLD.sequence
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chainhead_advance_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.id = OLD.id AND NEW.last_sequence = OLD.last_sequence
            AND NEW.last_hash = OLD.last_hash THEN
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.last_sequence <> OLD.last_sequence + 1 OR NOT EXISTS (
        SELECT 1 FROM {log} WHERE sequence = NEW.last_sequence
            AND hash = NEW.last_hash AND prev_hash = OLD.last_hash
    ) THEN
        RAISE EXCEPTION 'the audit chain head only advances to the entry just appended'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""


def create_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).get_or_create(
        id=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
    )


def delete_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).filter(id=1).delete()


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    log = schema_editor.quote_name(apps.get_model("audit", "AdminLog")._meta.db_table)
    head = schema_editor.quote_name(apps.get_model("audit", "AuditChainHead")._meta.db_table)
    schema_editor.execute(ADMINLOG_FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER audit_adminlog_append_only BEFORE UPDATE OR DELETE ON {log} "
        "FOR EACH ROW EXECUTE FUNCTION audit_adminlog_append_only()"
    )
    schema_editor.execute(HEAD_FUNCTION.replace("{log}", log), params=None)
    schema_editor.execute(
        f"CREATE TRIGGER audit_chainhead_advance_only BEFORE UPDATE OR DELETE ON {head} "
        "FOR EACH ROW EXECUTE FUNCTION audit_chainhead_advance_only()"
    )


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    log = schema_editor.quote_name(apps.get_model("audit", "AdminLog")._meta.db_table)
    head = schema_editor.quote_name(apps.get_model("audit", "AuditChainHead")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_chainhead_advance_only ON {head}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_chainhead_advance_only()")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_adminlog_append_only ON {log}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_adminlog_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, delete_head),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
