"""Reference data the platform needs, seeded idempotently by `manage.py seed`.

Each app adds its seeding function to `seeders()` as its reference data lands.
"""

from collections.abc import Callable

from django.contrib.auth.models import Group, Permission

# Staff roles and the permissions each starts with; staff tune them in the console.
STAFF_GROUPS: dict[str, list[str]] = {
    "Support": [
        "users.view_user",
        "platform_settings.view_platformsettings",
        "currency.view_exchangerate",
        "donations.view_donation",
    ],
    "Campaign reviewers": [
        "campaigns.view_campaign",
        "campaigns.review_campaign",
        "campaigns.change_campaign",
        "campaigns.view_comment",
        "campaigns.change_comment",
    ],
    "Administrators": [
        "users.view_user",
        "users.change_user",
        "audit.view_adminlog",
        "platform_settings.view_platformsettings",
        "platform_settings.change_platformsettings",
        "platform_settings.view_currencysettings",
        "platform_settings.change_currencysettings",
        "platform_settings.view_settingschangelog",
        "platform_settings.add_campaignwithdrawalcap",
        "platform_settings.change_campaignwithdrawalcap",
        "platform_settings.delete_campaignwithdrawalcap",
        "platform_settings.view_campaignwithdrawalcap",
        "currency.view_currency",
        "currency.change_currency",
        "currency.view_exchangerate",
        "currency.add_exchangerate",
        "donations.view_donation",
        "donations.refund_donation",
    ],
}


def seed_staff_groups() -> str:
    for name, codenames in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return f"{len(STAFF_GROUPS)} staff groups"


def seeders() -> list[Callable[[], str]]:
    from apps.campaigns.reference import seed_categories
    from apps.currency.reference import seed_currencies
    from apps.platform_settings.defaults import seed_platform_settings

    return [seed_currencies, seed_platform_settings, seed_categories, seed_staff_groups]
