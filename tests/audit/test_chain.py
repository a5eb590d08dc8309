import datetime as dt
import hashlib
import itertools
import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from apps.audit.chain import GENESIS_HASH, entry_hash, format_timestamp
from apps.audit.models import AdminLog, AuditChainHead
from apps.audit.services import AuditChainError, audit_log
from tests.audit.conftest import requires_postgresql, triggers_disabled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def verify_output() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_entries_link_into_one_chain(chain):
    stored = list(AdminLog.objects.order_by("sequence"))
    assert [entry.sequence for entry in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(stored):
        assert entry.prev_hash == previous.hash
    for written, entry in zip(chain, stored, strict=True):
        assert len(entry.hash) == 64 and int(entry.hash, 16) >= 0
        assert entry.hash == written.hash == entry_hash(entry)
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (5, stored[-1].hash)


def test_the_hash_is_sha256_of_the_documented_canonical_form(chain):
    entry = AdminLog.objects.get(sequence=4)
    content = {
        "id": str(entry.id),
        "sequence": 4,
        "prev_hash": chain[2].hash,
        "created_at": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": str(chain[3].actor.id),
        "actor_email": "approver@krogiving.test",
        "action": "payout.approve",
        "target_type": "withdrawal",
        "target_id": "w-9",
        "before": None,
        "after": {"amount": 2_500_000, "currency": "NGN"},
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (staff console)",
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    assert entry.hash == hashlib.sha256(text.encode()).hexdigest()


def test_the_request_gives_address_and_user_agent(chain):
    entry = AdminLog.objects.get(sequence=1)
    assert entry.ip_address == "203.0.113.7"
    assert entry.user_agent == "Mozilla/5.0 (staff console)"
    assert entry.actor_email == "approver@krogiving.test"


def test_a_forwarded_address_counts_only_behind_a_configured_proxy(actor, settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.9"
    )
    direct = audit_log(actor=actor, action="a.b", target_type="t", target_id="1", request=request)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxied = audit_log(actor=actor, action="a.b", target_type="t", target_id="1", request=request)
    assert direct.ip_address == "10.0.0.2"
    assert proxied.ip_address == "198.51.100.9"


def test_a_long_user_agent_is_cut_and_a_bad_address_dropped(actor):
    entry = audit_log(
        actor=actor,
        action="a.b",
        target_type="t",
        target_id="1",
        ip_address="not-an-address",
        user_agent="x" * 5000,
    )
    stored = AdminLog.objects.get(pk=entry.pk)
    assert stored.ip_address is None
    assert stored.user_agent == "x" * 512
    assert "audit chain OK: 1 entries" in verify_output()


def test_values_the_database_respells_still_hash_the_same(actor):
    """jsonb turns 1e20 into an integer and -0.0 into 0.0, inet lower-cases IPv6..."""
    moment = dt.datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    before = {
        "big_float": 1e20,
        "bigger_float": 1e23,
        "negative_zero": -0.0,
        "tiny": 1e-7,
        "fraction": 0.1,
        "huge_int": 12345678901234567890123,
        "amount": Decimal("1500.50"),
        "when": moment,
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        7: "an integer key",
        "nested": {"b": [1, 2.5, None, True], "a": "NUL\x00byte", "ü": "ünïcödé ✓"},
    }
    for address in ["2001:DB8::0:1", "::ffff:1.2.3.4", "127.0.0.1"]:
        entry = audit_log(
            actor=actor,
            action="settings.update",
            target_type="platform_settings",
            target_id="1",
            before=before,
            after=["a", "list", 3],
            ip_address=address,
            user_agent="agent\x00with NUL",
        )
        stored = AdminLog.objects.get(pk=entry.pk)
        assert entry_hash(stored) == stored.hash == entry.hash
        # what the service returns is what anyone reading the row later sees
        assert (entry.before, entry.after, entry.ip_address, entry.created_at) == (
            stored.before,
            stored.after,
            stored.ip_address,
            stored.created_at,
        )
    assert stored.before["amount"] == "1500.50"
    assert stored.before["7"] == "an integer key"
    assert stored.before["nested"]["a"] == "NUL\ufffdbyte"
    assert "audit chain OK: 3 entries" in verify_output()


def test_a_value_json_cannot_hold_is_refused_before_writing(actor):
    with pytest.raises(ValueError):
        audit_log(
            actor=actor, action="a.b", target_type="t", target_id="1", after={"x": float("nan")}
        )
    assert not AdminLog.objects.exists()


def test_timestamps_are_written_one_way():
    lagos = dt.timezone(dt.timedelta(hours=1))
    whole_second = dt.datetime(2025, 1, 1, 13, 0, 0, tzinfo=lagos)
    assert format_timestamp(whole_second) == "2025-01-01T12:00:00.000000+00:00"
    assert format_timestamp(whole_second.astimezone(dt.UTC)) == format_timestamp(whole_second)


def test_the_stored_timestamp_reads_back_to_the_microsecond(actor):
    entry = audit_log(actor=actor, action="a.b", target_type="t", target_id="1")
    stored = AdminLog.objects.get(pk=entry.pk)
    assert format_timestamp(stored.created_at) == format_timestamp(entry.created_at)
    assert stored.created_at.microsecond == entry.created_at.microsecond


def test_an_entry_written_in_a_rolled_back_transaction_disappears_with_it(actor):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit_log(actor=actor, action="campaign.approve", target_type="campaign", target_id="1")
        raise Boom
    assert not AdminLog.objects.exists()
    # the head was rolled back too: the next entry starts the chain
    entry = audit_log(actor=actor, action="campaign.approve", target_type="campaign", target_id="1")
    assert (entry.sequence, entry.prev_hash) == (1, GENESIS_HASH)
    assert "audit chain OK: 1 entries" in verify_output()


def test_the_entry_commits_with_the_callers_durable_transaction(actor):
    with transaction.atomic(durable=True):
        entry = audit_log(
            actor=actor, action="payout.approve", target_type="withdrawal", target_id="9"
        )
    assert AdminLog.objects.get(pk=entry.pk).sequence == 1


def test_history_keeps_the_email_the_actor_had(actor):
    entry = audit_log(actor=actor, action="a.b", target_type="t", target_id="1")
    actor.email = "renamed@krogiving.test"
    actor.save()
    stored = AdminLog.objects.get(pk=entry.pk)
    assert stored.actor_email == "approver@krogiving.test"
    assert stored.actor == actor
    assert "audit chain OK" in verify_output()


def test_an_account_with_history_cannot_be_deleted(actor):
    audit_log(actor=actor, action="a.b", target_type="t", target_id="1")
    with pytest.raises(ProtectedError):
        actor.delete()
    assert AdminLog.objects.filter(actor=actor).count() == 1


def test_the_system_and_anonymous_requests_act_as_nobody():
    from django.contrib.auth.models import AnonymousUser

    system = audit_log(actor=None, action="campaign.end", target_type="campaign", target_id="1")
    anonymous = audit_log(
        actor=AnonymousUser(), action="donation.flag", target_type="donation", target_id="2"
    )
    for entry in (system, anonymous):
        stored = AdminLog.objects.get(pk=entry.pk)
        assert (stored.actor_id, stored.actor_email) == (None, "")


@pytest.mark.parametrize(
    "arguments",
    [
        {"action": "", "target_type": "campaign", "target_id": "1"},
        {"action": "x" * 101, "target_type": "campaign", "target_id": "1"},
        {"action": "a.b", "target_type": "", "target_id": "1"},
        {"action": "a.b", "target_type": "campaign", "target_id": "1" * 256},
    ],
)
def test_malformed_entries_are_refused(arguments):
    with pytest.raises(ValueError):
        audit_log(actor=None, **arguments)
    assert not AdminLog.objects.exists()


def test_target_ids_may_be_given_as_uuids():
    target = uuid.uuid4()
    entry = audit_log(actor=None, action="a.b", target_type="campaign", target_id=target)
    assert AdminLog.objects.get(pk=entry.pk).target_id == str(target)


@requires_postgresql
def test_a_missing_head_with_entries_stops_writers(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(AuditChainError, match="head record is missing"):
        audit_log(actor=None, action="a.b", target_type="t", target_id="1")
    assert AdminLog.objects.count() == 5


@requires_postgresql
def test_an_emptied_database_starts_a_new_chain(chain):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_adminlog")
        cursor.execute("DELETE FROM audit_auditchainhead")
    entry = audit_log(actor=None, action="a.b", target_type="t", target_id="1")
    assert (entry.sequence, entry.prev_hash) == (1, GENESIS_HASH)
    assert AuditChainHead.objects.get().last_sequence == 1


def test_ordinary_users_can_be_actors_too():
    organiser = UserFactory()
    entry = audit_log(
        actor=organiser, action="campaign.close", target_type="campaign", target_id="3"
    )
    assert AdminLog.objects.get(pk=entry.pk).actor_email == organiser.email


def test_a_drf_request_works_as_well_as_a_django_one(actor):
    from rest_framework.request import Request

    django_request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.5", HTTP_USER_AGENT="app/2.1")
    entry = audit_log(
        actor=actor, action="a.b", target_type="t", target_id="1", request=Request(django_request)
    )
    assert (entry.ip_address, entry.user_agent) == ("192.0.2.5", "app/2.1")
