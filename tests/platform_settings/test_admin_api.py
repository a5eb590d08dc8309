"""The staff API: the withdrawal cap, the whole record, the cap log."""

import pytest

from apps.platform_settings.models import SettingsChangeLog
from apps.platform_settings.selectors import get_platform_settings
from tests.platform_settings.helpers import permission_matrix_clients, staff_api_client

pytestmark = pytest.mark.django_db

CAP_URL = "/v1/admin/settings/global-withdrawal-cap"
SETTINGS_URL = "/v1/admin/settings"
CAP_LOG_URL = "/v1/admin/logs/withdrawal-cap"
CHANGE = "platform_settings.change_platformsettings"
VIEW = "platform_settings.view_platformsettings"
VIEW_LOG = "platform_settings.view_settingschangelog"


@pytest.fixture
def editor(seeded):
    return staff_api_client(CHANGE, email="cap-editor@krogiving.test")


@pytest.mark.parametrize(
    "caller",
    ["anonymous", "ordinary user", "staff without 2FA", "staff with 2FA, no permission", "allowed"],
)
def test_who_may_set_the_cap(seeded, caller):
    client, expected = permission_matrix_clients(CHANGE)[caller]
    response = client.put(CAP_URL, {"amount": 600_000_000, "currency": "NGN"}, format="json")
    assert response.status_code == expected, response.json()
    changed = get_platform_settings().withdrawal_cap("NGN") == 600_000_000
    assert changed is (expected == 200)
    if expected != 200:
        assert "error" in response.json()


@pytest.mark.parametrize(
    "caller",
    ["anonymous", "ordinary user", "staff without 2FA", "staff with 2FA, no permission", "allowed"],
)
def test_who_may_read_the_settings(seeded, caller):
    client, expected = permission_matrix_clients(VIEW)[caller]
    assert client.get(SETTINGS_URL).status_code == expected


@pytest.mark.parametrize(
    "caller",
    ["anonymous", "ordinary user", "staff without 2FA", "staff with 2FA, no permission", "allowed"],
)
def test_who_may_read_the_cap_log(seeded, caller):
    client, expected = permission_matrix_clients(VIEW_LOG)[caller]
    assert client.get(CAP_LOG_URL).status_code == expected


def test_view_permission_does_not_allow_a_change(seeded):
    reader = staff_api_client(VIEW, email="reader@krogiving.test")
    response = reader.put(CAP_URL, {"amount": 600_000_000, "currency": "NGN"}, format="json")
    assert response.status_code == 403


def test_setting_the_cap_answers_old_and_new_and_is_logged(editor):
    response = editor.put(
        CAP_URL,
        {"amount": 750_000_000, "currency": "NGN"},
        format="json",
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 200
    assert response.json() == {
        "currency": "NGN",
        "amount": 750_000_000,
        "previous_amount": 500_000_000,
    }
    entry = SettingsChangeLog.objects.get()
    assert (entry.key, entry.old_value, entry.new_value) == (
        "withdrawal_cap.NGN",
        500_000_000,
        750_000_000,
    )
    assert entry.actor == editor.user
    assert entry.ip_address == "198.51.100.20"


def test_the_currency_code_may_be_lower_case(editor):
    response = editor.put(CAP_URL, {"amount": 2_000_000, "currency": "usd"}, format="json")
    assert response.status_code == 200
    assert get_platform_settings().withdrawal_cap("USD") == 2_000_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": -1, "currency": "NGN"}, "amount"),
        ({"amount": 0, "currency": "NGN"}, "amount"),
        ({"amount": "600000000", "currency": "NGN"}, "amount"),
        ({"amount": 600000000.5, "currency": "NGN"}, "amount"),
        ({"amount": 600000000.0, "currency": "NGN"}, "amount"),
        ({"amount": True, "currency": "NGN"}, "amount"),
        ({"amount": None, "currency": "NGN"}, "amount"),
        ({"amount": 10**20, "currency": "NGN"}, "amount"),
        ({"amount": 50_000, "currency": "NGN"}, "amount"),  # below the ₦1,000 minimum
        ({"amount": 600_000_000, "currency": "EUR"}, "currency"),
        ({"amount": 600_000_000, "currency": 566}, "currency"),
        ({"amount": 600_000_000, "currency": ["NGN"]}, "currency"),
        ({"amount": 600_000_000}, "currency"),
        ({"currency": "NGN"}, "amount"),
        ({"amount": 600_000_000, "currency": "NGN", "note": "x"}, "note"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor, body, field):
    response = editor.put(CAP_URL, body, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert field in error["fields"]
    assert not SettingsChangeLog.objects.exists()
    assert get_platform_settings().withdrawal_cap("NGN") == 500_000_000


def test_a_body_that_is_not_an_object_is_a_400(editor):
    response = editor.put(CAP_URL, [1, 2], format="json")
    assert response.status_code == 400
    response = editor.put(CAP_URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_whole_record_is_returned(seeded):
    reader = staff_api_client(VIEW, email="reader@krogiving.test")
    body = reader.get(SETTINGS_URL).json()
    assert body["fx_margin_bps"] == 150
    assert body["max_rate_age_seconds"] == 21_600
    assert body["currencies"]["NGN"] == {
        "withdrawal_cap": 500_000_000,
        "minimum_withdrawal": 100_000,
        "fee": {"percent_bps": 500, "flat": 5_000, "cap": 1_000_000},
    }
    assert set(body["currencies"]) == {"GHS", "KES", "NGN", "USD", "ZAR"}


def test_the_cap_log_lists_cap_changes_newest_first_and_filters(editor):
    editor.put(CAP_URL, {"amount": 600_000_000, "currency": "NGN"}, format="json")
    editor.put(CAP_URL, {"amount": 3_000_000, "currency": "USD"}, format="json")
    reader = staff_api_client(VIEW_LOG, email="auditor@krogiving.test")
    listing = reader.get(CAP_LOG_URL).json()
    assert listing["count"] == 2
    newest = listing["results"][0]
    assert newest["key"] == "withdrawal_cap.USD"
    assert newest["currency"] == "USD" and newest["campaign"] is None
    assert (newest["old_value"], newest["new_value"]) == (1_000_000, 3_000_000)
    assert newest["actor"]["email"] == "cap-editor@krogiving.test"
    only_ngn = reader.get(CAP_LOG_URL, {"currency": "ngn"}).json()
    assert [entry["new_value"] for entry in only_ngn["results"]] == [600_000_000]
    assert reader.get(CAP_LOG_URL, {"campaign": "nonsense"}).json()["count"] == 0
