"""Integrity the database itself enforces on PostgreSQL, whoever writes to it.

- ledger_entry_balanced: a DEFERRABLE INITIALLY DEFERRED constraint trigger. At commit
  (or at `SET CONSTRAINTS ALL IMMEDIATE`) it checks that the entries of each transaction
  that gained an entry sum to zero per currency, so raw SQL cannot commit an unbalanced
  transaction either.
- ledger_entry_guard: entries are append-only (UPDATE and DELETE refused) and an entry's
  currency must be its account's currency.
- ledger_transaction_guard: transactions are append-only too.

TRUNCATE (used by test teardown and `flush`) is not a row operation and still works.
SQLite has no equivalent; there the model guards and `manage.py ledger_check` stand.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger % rows are append-only: % of % refused',
        TG_TABLE_NAME, TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation',
              HINT = 'Correct the ledger with a new posting.';
END;
$$;

CREATE OR REPLACE FUNCTION ledger_entry_check_currency() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    account_currency varchar;
BEGIN
    SELECT currency_id INTO account_currency FROM ledger_account WHERE id = NEW.account_id;
    IF account_currency IS DISTINCT FROM NEW.currency_id THEN
        RAISE EXCEPTION 'ledger entry in % on an account kept in %',
            NEW.currency_id, account_currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION ledger_transaction_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    unbalanced record;
BEGIN
    SELECT currency_id, SUM(amount) AS total INTO unbalanced
      FROM ledger_entry
     WHERE transaction_id = NEW.transaction_id
     GROUP BY currency_id
    HAVING SUM(amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: its % entries sum to %',
            NEW.transaction_id, unbalanced.currency_id, unbalanced.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_entry_guard
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_transaction_guard
    BEFORE UPDATE OR DELETE ON ledger_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_entry_currency
    BEFORE INSERT ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_currency();

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_check_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_entry_currency ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_transaction_guard ON ledger_ledgertransaction;
DROP TRIGGER IF EXISTS ledger_entry_guard ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_transaction_check_balanced();
DROP FUNCTION IF EXISTS ledger_entry_check_currency();
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def _run(schema_editor, sql: str) -> None:
    # No parameters: the `%` in the PL/pgSQL messages are not placeholders.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
