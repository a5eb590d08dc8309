import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.ledger.models import Account, AccountKind
from apps.ledger.services import (
    ledger_post_donation_succeeded,
    ledger_post_hold,
    ledger_post_refund,
    ledger_post_release,
    ledger_post_transfer_succeeded,
)
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.ledger.conftest import donate


def seed_ledger() -> tuple[Campaign, Campaign]:
    naira, cedi = CampaignFactory(currency_id="NGN"), CampaignFactory(currency_id="GHS")
    donate(naira, 50_000, fee=1_000, tip=500, reference="donation:1:succeeded")
    ledger_post_donation_succeeded(
        reference="donation:2:succeeded",
        campaign=naira,
        charged_amount=2_000,
        charged_currency="USD",
        gift=3_000_000,
        fee=60_000,
        tip=0,
        net_to_campaign=3_000_000,
        fx_rate="1530",
    )
    donate(cedi, 4_000, fee=80, reference="donation:3:succeeded")
    ledger_post_hold(reference="withdrawal:1:held", campaign=naira, amount=1_000_000)
    ledger_post_release(reference="withdrawal:1:released", campaign=naira, amount=1_000_000)
    ledger_post_hold(reference="withdrawal:2:held", campaign=naira, amount=40_000)
    ledger_post_transfer_succeeded(reference="withdrawal:2:paid", campaign=naira, amount=40_000)
    ledger_post_refund(reference="donation:3:refunded", campaign=cedi, amount=1_000)
    return naira, cedi


def run_check() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ledger_check", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_check_failing() -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="difference"):
        call_command("ledger_check", stdout=out, stderr=err)
    return err.getvalue()


@pytest.mark.django_db
def test_ledger_check_passes_on_a_seeded_ledger():
    seed_ledger()

    out, err = run_check()

    assert "no differences" in out
    assert "8 transactions" in out
    assert err == ""


@pytest.mark.django_db
def test_ledger_check_fails_naming_an_account_whose_cached_balance_was_changed():
    naira, _ = seed_ledger()
    available = Account.objects.get(campaign=naira, kind=AccountKind.CAMPAIGN_AVAILABLE)
    Account.objects.filter(pk=available.pk).update(balance=available.balance + 1)

    err = run_check_failing()

    assert f"account {available.pk}" in err
    assert f"cached balance {available.balance + 1} != {available.balance}" in err


@pytest.mark.django_db
def test_ledger_check_fails_naming_a_campaign_whose_raised_amount_was_changed():
    _, cedi = seed_ledger()
    Campaign.objects.filter(pk=cedi.pk).update(raised_amount=cedi.raised_amount + 250)

    err = run_check_failing()

    assert cedi.slug in err
    assert f"raised_amount {cedi.raised_amount + 250} != {cedi.raised_amount}" in err


@pytest.mark.django_db
def test_ledger_check_fails_naming_an_unbalanced_transaction():
    """Written with raw SQL in a savepoint that is rolled back before any commit-time check."""
    naira, _ = seed_ledger()
    available = Account.objects.get(campaign=naira, kind=AccountKind.CAMPAIGN_AVAILABLE)
    txid, now = uuid.uuid4(), timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgertransaction "
            "(id, kind, reference, campaign_id, raised_delta, memo, created_at) "
            "VALUES (%s, 'hold', 'raw:unbalanced', %s, 0, '{}', %s)",
            [txid.hex, naira.pk.hex, now],
        )
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency_id, "
            "created_at) VALUES (%s, %s, -700, 'NGN', %s)",
            [txid.hex, available.pk.hex, now],
        )

        err = run_check_failing()

        # Undo it before the test's end checks the deferred constraints.
        transaction.set_rollback(True)

    assert "raw:unbalanced" in err
    assert "NGN entries sum to -700, not 0" in err
    # The cached balance was not moved either.
    assert f"account {available.pk}" in err


def _test_database_url() -> str:
    db = connection.settings_dict  # the test database this run created
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_manage_py_ledger_check_exit_status():
    """The command as ops run it: 0 on a sound ledger, non-zero naming the difference."""
    if connection.vendor != "postgresql":
        pytest.skip("the subprocess reaches the test database over PostgreSQL")
    naira, _ = seed_ledger()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "krogiving.settings_test",
        "DATABASE_URL": _test_database_url(),
    }
    command = [sys.executable, "manage.py", "ledger_check"]
    root = Path(settings.BASE_DIR)

    sound = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=60)
    Campaign.objects.filter(pk=naira.pk).update(raised_amount=1)
    broken = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=60)

    assert sound.returncode == 0, sound.stderr
    assert "no differences" in sound.stdout
    assert broken.returncode != 0
    assert naira.slug in broken.stderr
    assert "raised_amount 1 !=" in broken.stderr
