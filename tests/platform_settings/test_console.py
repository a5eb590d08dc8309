"""The Django admin saves settings through the service, so every change is logged."""

import pytest

from apps.platform_settings.models import CampaignWithdrawalCap, SettingsChangeLog
from apps.platform_settings.selectors import get_platform_settings, withdrawal_cap_for
from tests.platform_settings.helpers import staff_console_client

pytestmark = pytest.mark.django_db

CHANGE_URL = "/admin/platform_settings/platformsettings/1/change/"
PERMISSIONS = (
    "platform_settings.view_platformsettings",
    "platform_settings.change_platformsettings",
    "platform_settings.view_currencysettings",
    "platform_settings.change_currencysettings",
)


def _form_data(response) -> dict:
    """The change form as the browser would post it back, unchanged."""
    data = {}
    admin_form = response.context["adminform"].form
    for name, field in admin_form.fields.items():
        data[name] = admin_form.initial.get(name, field.initial)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, "")
        for form in formset.forms:
            for name in form.fields:
                value = form.initial.get(name)
                if name == "currency":
                    value = form.instance.pk
                elif name == "platform":
                    value = 1
                data[form.add_prefix(name)] = "" if value is None else value
    data["_save"] = "Save"
    return data


def _row(response, code: str) -> int:
    formset = response.context["inline_admin_formsets"][0].formset
    return next(i for i, form in enumerate(formset.forms) if form.instance.pk == code)


@pytest.fixture
def console(seeded):
    return staff_console_client(*PERMISSIONS)


def test_the_list_page_leads_to_the_one_record(console):
    response = console.get("/admin/platform_settings/platformsettings/")
    assert response.status_code == 302
    assert response["Location"].endswith(CHANGE_URL)


def test_saving_in_the_console_changes_settings_and_logs_each_field(console):
    page = console.get(CHANGE_URL)
    assert page.status_code == 200
    data = _form_data(page)
    data["fx_margin_bps"] = 175
    row = _row(page, "KES")
    data[f"currencies-{row}-fee_percent_bps"] = 450
    data[f"currencies-{row}-fee_cap"] = ""
    response = console.post(CHANGE_URL, data, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302, response.context["errors"]
    snapshot = get_platform_settings()
    assert snapshot.fx_margin_bps == 175
    assert (snapshot.fee_policy("KES").percent_bps, snapshot.fee_policy("KES").cap) == (450, None)
    entries = {e.key: (e.old_value, e.new_value) for e in SettingsChangeLog.objects.all()}
    assert entries == {
        "fx_margin_bps": (150, 175),
        "fee_percent_bps.KES": (500, 450),
        "fee_cap.KES": (500_000, None),
    }
    assert set(SettingsChangeLog.objects.values_list("ip_address", flat=True)) == {"192.0.2.44"}


def test_a_bad_value_is_shown_on_the_form_and_nothing_changes(console):
    page = console.get(CHANGE_URL)
    data = _form_data(page)
    row = _row(page, "NGN")
    data[f"currencies-{row}-withdrawal_cap"] = 10  # below the minimum withdrawal
    response = console.post(CHANGE_URL, data)
    assert response.status_code == 200  # the form again, with the error
    formset = response.context["inline_admin_formsets"][0].formset
    problems = [str(e) for e in formset.forms[row].errors.values()]
    assert any("cannot be below the minimum withdrawal" in p for p in problems), problems
    assert get_platform_settings().withdrawal_cap("NGN") == 500_000_000
    assert not SettingsChangeLog.objects.exists()


def test_campaign_cap_overrides_are_set_and_removed_through_the_service(seeded, make_campaign):
    campaign = make_campaign("NGN")
    console = staff_console_client(
        "platform_settings.add_campaignwithdrawalcap",
        "platform_settings.change_campaignwithdrawalcap",
        "platform_settings.delete_campaignwithdrawalcap",
        "platform_settings.view_campaignwithdrawalcap",
    )
    added = console.post(
        "/admin/platform_settings/campaignwithdrawalcap/add/",
        {"campaign": str(campaign.pk), "amount": 900_000_000, "_save": "Save"},
    )
    assert added.status_code == 302, added.context["errors"]
    assert withdrawal_cap_for(campaign_id=campaign.pk, currency="NGN") == 900_000_000
    override = CampaignWithdrawalCap.objects.get()
    assert override.set_by == console.user
    deleted = console.post(
        f"/admin/platform_settings/campaignwithdrawalcap/{override.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert withdrawal_cap_for(campaign_id=campaign.pk, currency="NGN") == 500_000_000
    assert list(
        SettingsChangeLog.objects.order_by("created_at").values_list("old_value", "new_value")
    ) == [(None, 900_000_000), (900_000_000, None)]


def test_the_change_log_is_read_only_in_the_console(seeded):
    console = staff_console_client(
        "platform_settings.view_settingschangelog",
        "platform_settings.change_settingschangelog",
        "platform_settings.delete_settingschangelog",
    )
    assert console.get("/admin/platform_settings/settingschangelog/").status_code == 200
    assert console.get("/admin/platform_settings/settingschangelog/add/").status_code == 403
