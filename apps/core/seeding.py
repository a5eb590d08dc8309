"""Reference data the platform needs, seeded idempotently by `manage.py seed`.

Core knows no domain app: each app registers its own seeder in its `AppConfig.ready()`
with `register_seeder(seeder, order=...)`, and `seeders()` returns them by ascending
`order` (then name). A seeder may rely on the data of every seeder with a lower order:

    10    currency            currencies
    20    platform_settings   the settings record and a row per currency (needs 10)
    30    campaigns           categories
    1000  core                staff groups (last: they name every app's permissions)
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
    "Finance": [
        "donations.view_donation",
        "donations.refund_donation",
        "withdrawals.view_withdrawal",
        "withdrawals.approve_withdrawal",
        "withdrawals.view_bankaccount",
        "platform_settings.view_platformsettings",
        "platform_settings.view_settingschangelog",
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
        "withdrawals.view_withdrawal",
        "withdrawals.approve_withdrawal",
        "withdrawals.view_bankaccount",
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


SEED_ORDER_LAST = 1000

# "module.function" -> (order, seeder); keyed by name so a repeated ready() is harmless.
_SEEDERS: dict[str, tuple[int, Callable[[], str]]] = {}


def register_seeder(seeder: Callable[[], str], *, order: int) -> None:
    """Have `manage.py seed` run `seeder` (idempotent, returns a one-line summary)."""
    _SEEDERS[f"{seeder.__module__}.{seeder.__qualname__}"] = (order, seeder)


def seeders() -> list[Callable[[], str]]:
    """The registered seeders, in the order they must run."""
    return [seeder for _, (_, seeder) in sorted(_SEEDERS.items(), key=lambda i: (i[1][0], i[0]))]
