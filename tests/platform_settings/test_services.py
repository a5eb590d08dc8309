"""Settings changes: validated, logged per key, seen by the next read, cached between."""

import itertools
import threading
import uuid

import pytest
from django.core.cache import cache

from apps.core.errors import InvalidInput, NotFound
from apps.platform_settings.models import (
    CampaignWithdrawalCap,
    CurrencySettings,
    PlatformSettings,
    SettingsChangeLog,
)
from apps.platform_settings.selectors import (
    CACHE_KEY,
    CurrencyNotConfigured,
    get_platform_settings,
    withdrawal_cap_for,
    withdrawal_cap_log,
)
from apps.platform_settings.services import (
    campaign_withdrawal_cap_set,
    platform_settings_set_withdrawal_cap,
    platform_settings_update,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(seeded):
    return StaffFactory(email="settings-admin@krogiving.test")


def test_seeded_defaults_are_the_documented_ones(seeded):
    snapshot = get_platform_settings()
    assert snapshot.fx_margin_bps == 150
    assert snapshot.max_rate_age_seconds == 6 * 3600
    assert set(snapshot.currencies) == {"NGN", "USD", "GHS", "KES", "ZAR"}
    ngn = snapshot.currency("NGN")
    assert (ngn.fee.percent_bps, ngn.fee.flat, ngn.fee.cap) == (500, 5_000, 1_000_000)
    assert (ngn.minimum_withdrawal, ngn.withdrawal_cap) == (100_000, 500_000_000)


def test_the_record_is_created_on_first_access_when_missing(seeded):
    CurrencySettings.objects.all().delete()
    PlatformSettings.objects.all().delete()
    snapshot = get_platform_settings()
    assert PlatformSettings.objects.filter(pk=1).exists()
    assert snapshot.withdrawal_cap("NGN") == 500_000_000


def test_a_change_is_logged_with_old_and_new_value_actor_and_address(actor):
    platform_settings_update(
        actor=actor,
        changes={"withdrawal_cap.NGN": 700_000_000, "fx_margin_bps": 200},
        ip_address="203.0.113.7",
    )
    entries = {e.key: e for e in SettingsChangeLog.objects.all()}
    assert set(entries) == {"withdrawal_cap.NGN", "fx_margin_bps"}
    cap = entries["withdrawal_cap.NGN"]
    assert (cap.old_value, cap.new_value) == (500_000_000, 700_000_000)
    assert cap.actor == actor and cap.actor_email == actor.email
    assert cap.ip_address == "203.0.113.7"
    assert (entries["fx_margin_bps"].old_value, entries["fx_margin_bps"].new_value) == (150, 200)
    assert PlatformSettings.objects.get(pk=1).updated_by == actor


def test_an_unchanged_value_is_neither_written_nor_logged(actor):
    platform_settings_update(actor=actor, changes={"fx_margin_bps": 150, "fee_flat.USD": 30})
    assert not SettingsChangeLog.objects.exists()


def test_the_next_read_sees_the_change(actor):
    assert get_platform_settings().fee_policy("GHS").percent_bps == 500  # warms the cache
    platform_settings_update(actor=actor, changes={"fee_percent_bps.GHS": 350, "fee_cap.GHS": None})
    policy = get_platform_settings().fee_policy("GHS")
    assert (policy.percent_bps, policy.cap) == (350, None)


def test_a_warm_read_makes_no_query(seeded, django_assert_num_queries):
    get_platform_settings()
    with django_assert_num_queries(0):
        snapshot = get_platform_settings()
    assert snapshot.withdrawal_cap("NGN") == 500_000_000


def test_the_cache_is_dropped_after_commit_too(actor, django_capture_on_commit_callbacks):
    get_platform_settings()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        platform_settings_update(actor=actor, changes={"max_rate_age_seconds": 3600})
    # a reader between the in-transaction delete and the commit may have refilled it
    cache.set(CACHE_KEY, {"stale": True})
    for callback in callbacks:
        callback()
    assert cache.get(CACHE_KEY) is None
    assert get_platform_settings().max_rate_age_seconds == 3600


def test_an_unreadable_cache_entry_is_reloaded(seeded):
    cache.set(CACHE_KEY, {"from": "an older release"})
    assert get_platform_settings().fx_margin_bps == 150


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"withdrawal_cap.NGN": -5}, "withdrawal_cap.NGN"),
        ({"withdrawal_cap.NGN": 0}, "withdrawal_cap.NGN"),
        ({"withdrawal_cap.XXX": 100}, "withdrawal_cap.XXX"),
        ({"withdrawal_cap.NGN": "100000000"}, "withdrawal_cap.NGN"),
        ({"withdrawal_cap.NGN": 1.5}, "withdrawal_cap.NGN"),
        ({"withdrawal_cap.NGN": True}, "withdrawal_cap.NGN"),
        ({"withdrawal_cap.NGN": None}, "withdrawal_cap.NGN"),
        ({"withdrawal_cap.NGN": 50_000}, "withdrawal_cap.NGN"),  # below the minimum
        ({"minimum_withdrawal.NGN": 600_000_000}, "minimum_withdrawal.NGN"),  # above the cap
        ({"fee_percent_bps.USD": 5_001}, "fee_percent_bps.USD"),
        ({"fee_flat.USD": -1}, "fee_flat.USD"),
        ({"fee_cap.USD": 10}, "fee_cap.USD"),  # below the flat fee of 30
        ({"fx_margin_bps": 10_000}, "fx_margin_bps"),
        ({"fx_margin_bps": -1}, "fx_margin_bps"),
        ({"max_rate_age_seconds": 59}, "max_rate_age_seconds"),
        ({"colour": "blue"}, "colour"),
        ({"campaign_withdrawal_cap.not-a-uuid": 100}, "campaign_withdrawal_cap.not-a-uuid"),
    ],
)
def test_bad_changes_are_refused_naming_the_key_and_nothing_changes(actor, changes, field):
    with pytest.raises(InvalidInput) as refused:
        platform_settings_update(actor=actor, changes=changes)
    assert field in refused.value.fields
    assert not SettingsChangeLog.objects.exists()
    assert get_platform_settings().withdrawal_cap("NGN") == 500_000_000


def test_one_bad_key_stops_the_good_ones_and_every_bad_key_is_named(actor):
    with pytest.raises(InvalidInput) as refused:
        platform_settings_update(
            actor=actor,
            changes={"fx_margin_bps": 100, "fee_flat.NGN": -1, "withdrawal_cap.ZZZ": 1},
        )
    assert set(refused.value.fields) == {"fee_flat.NGN", "withdrawal_cap.ZZZ"}
    assert get_platform_settings().fx_margin_bps == 150
    assert not SettingsChangeLog.objects.exists()


def test_raising_cap_and_minimum_together_is_checked_on_the_result(actor):
    platform_settings_update(
        actor=actor,
        changes={"minimum_withdrawal.NGN": 600_000_000, "withdrawal_cap.NGN": 900_000_000},
    )
    ngn = get_platform_settings().currency("NGN")
    assert (ngn.minimum_withdrawal, ngn.withdrawal_cap) == (600_000_000, 900_000_000)


def test_a_new_currency_needs_all_its_settings(actor):
    from apps.currency.models import Currency

    Currency.objects.create(
        code="XOF", name="CFA franc", exponent=0, symbol="CFA", minimum_donation=500
    )
    with pytest.raises(CurrencyNotConfigured):
        get_platform_settings().fee_policy("XOF")
    with pytest.raises(InvalidInput) as refused:
        platform_settings_update(actor=actor, changes={"withdrawal_cap.XOF": 1_000_000})
    assert "minimum_withdrawal.XOF" in refused.value.fields
    platform_settings_update(
        actor=actor,
        changes={
            "withdrawal_cap.XOF": 1_000_000,
            "minimum_withdrawal.XOF": 5_000,
            "fee_percent_bps.XOF": 400,
            "fee_flat.XOF": 100,
        },
    )
    xof = get_platform_settings().currency("XOF")
    assert (xof.withdrawal_cap, xof.fee.percent_bps, xof.fee.cap) == (1_000_000, 400, None)
    assert SettingsChangeLog.objects.filter(key__endswith=".XOF").count() == 4


def test_global_cap_wrapper_names_the_request_fields(actor):
    change = platform_settings_set_withdrawal_cap(actor=actor, currency="USD", amount=2_000_000)
    assert (change.previous_amount, change.amount) == (1_000_000, 2_000_000)
    with pytest.raises(InvalidInput) as below_minimum:
        platform_settings_set_withdrawal_cap(actor=actor, currency="USD", amount=5)
    assert set(below_minimum.value.fields) == {"amount"}
    with pytest.raises(InvalidInput) as unknown:
        platform_settings_set_withdrawal_cap(actor=actor, currency="EUR", amount=5_000)
    assert set(unknown.value.fields) == {"currency"}


def test_a_campaign_override_replaces_the_global_cap_and_is_logged(actor, make_campaign):
    campaign = make_campaign("NGN")
    assert withdrawal_cap_for(campaign_id=campaign.pk, currency="NGN") == 500_000_000
    campaign_withdrawal_cap_set(actor=actor, campaign_id=campaign.pk, amount=2_000_000_000)
    assert withdrawal_cap_for(campaign_id=campaign.pk, currency="NGN") == 2_000_000_000
    campaign_withdrawal_cap_set(actor=actor, campaign_id=campaign.pk, amount=None)
    assert withdrawal_cap_for(campaign_id=campaign.pk, currency="NGN") == 500_000_000
    assert not CampaignWithdrawalCap.objects.exists()
    history = list(withdrawal_cap_log(campaign_id=campaign.pk))
    assert [(e.old_value, e.new_value) for e in history] == [
        (2_000_000_000, None),
        (None, 2_000_000_000),
    ]


def test_a_campaign_override_below_the_minimum_or_for_no_campaign_is_refused(actor, make_campaign):
    campaign = make_campaign("USD")
    with pytest.raises(InvalidInput) as refused:
        campaign_withdrawal_cap_set(actor=actor, campaign_id=campaign.pk, amount=999)
    assert set(refused.value.fields) == {"amount"}
    with pytest.raises(NotFound):
        campaign_withdrawal_cap_set(actor=actor, campaign_id=uuid.uuid4(), amount=100_000)
    assert not SettingsChangeLog.objects.exists()


def test_the_withdrawal_cap_log_is_a_filtered_view_of_the_change_log(actor, make_campaign):
    campaign = make_campaign("GHS")
    platform_settings_update(
        actor=actor,
        changes={
            "withdrawal_cap.NGN": 600_000_000,
            "withdrawal_cap.GHS": 6_000_000,
            "fee_flat.NGN": 6_000,
            f"campaign_withdrawal_cap.{campaign.pk}": 9_000_000,
        },
    )
    assert SettingsChangeLog.objects.count() == 4
    assert {e.key for e in withdrawal_cap_log()} == {
        "withdrawal_cap.NGN",
        "withdrawal_cap.GHS",
        f"campaign_withdrawal_cap.{campaign.pk}",
    }
    assert [e.key for e in withdrawal_cap_log(currency="GHS")] == ["withdrawal_cap.GHS"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_are_serialised_and_each_logs_what_it_replaced(seeded, close_connection):
    writers = 6
    staff = [StaffFactory(email=f"racer{i}@krogiving.test") for i in range(writers)]
    get_platform_settings()  # a warm cache, as in production
    barrier = threading.Barrier(writers)
    errors = []

    def change(member, amount):
        try:
            barrier.wait()
            platform_settings_update(actor=member, changes={"withdrawal_cap.NGN": amount})
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_connection()

    threads = [
        threading.Thread(target=change, args=(member, 600_000_000 + i * 10_000_000))
        for i, member in enumerate(staff)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = list(SettingsChangeLog.objects.order_by("created_at"))
    assert len(entries) == writers
    # each saw the value the one before it wrote, under the lock: the log has no gap
    assert entries[0].old_value == 500_000_000
    for before, after in itertools.pairwise(entries):
        assert after.old_value == before.new_value
    final = CurrencySettings.objects.get(currency_id="NGN").withdrawal_cap
    assert final == entries[-1].new_value
    # the committed change reached the cache: the next read is the final value
    assert get_platform_settings().withdrawal_cap("NGN") == final
