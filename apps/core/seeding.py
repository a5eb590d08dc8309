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
from typing import Any

from django.contrib.auth.models import Group, Permission

# Staff roles and the permissions each starts with; staff tune them in the console (the
# seed only adds, never takes a permission away). The README lists these groups.
ALL_PERMISSIONS = "*"
STAFF_GROUPS: dict[str, list[str]] = {
    # Campaign review: approve, reject, suspend, moderate comments.
    "Reviewers": [
        "campaigns.view_campaign",
        "campaigns.review_campaign",
        "campaigns.change_campaign",
        "campaigns.view_category",
        "campaigns.view_comment",
        "campaigns.change_comment",
    ],
    # Money: donations and refunds, withdrawals and payout approval, platform settings.
    "Finance": [
        "donations.view_donation",
        "donations.refund_donation",
        "donations.import_donation",
        "donations.view_donationrefund",
        "withdrawals.view_withdrawal",
        "withdrawals.approve_withdrawal",
        "withdrawals.view_bankaccount",
        "platform_settings.view_platformsettings",
        "platform_settings.change_platformsettings",
        "platform_settings.view_currencysettings",
        "platform_settings.change_currencysettings",
        "platform_settings.view_settingschangelog",
        "platform_settings.view_campaignwithdrawalcap",
        "platform_settings.add_campaignwithdrawalcap",
        "platform_settings.change_campaignwithdrawalcap",
        "platform_settings.delete_campaignwithdrawalcap",
        "currency.view_currency",
        "currency.view_exchangerate",
        "currency.add_exchangerate",
    ],
    # People: find a user, suspend or reinstate them, see their campaigns and donations.
    "Support": [
        "users.view_user",
        "users.change_user",
        "campaigns.view_campaign",
        "donations.view_donation",
    ],
    # Everything, the system tables included.
    "Superadmins": [ALL_PERMISSIONS],
}

# Groups seeded under an earlier name: renamed in place, so their members stay in them.
RENAMED_STAFF_GROUPS = {
    "Campaign reviewers": "Reviewers",
    "Administrators": "Superadmins",
}


def seed_staff_groups() -> str:
    for old, new in RENAMED_STAFF_GROUPS.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)
    for name, codenames in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames == [ALL_PERMISSIONS]:
            group.permissions.add(*Permission.objects.all())
            continue
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


# The demo platform (`manage.py seed --demo`): it spans every app, so the composition
# root registers it (krogiving/apps.py -> krogiving/demo.py).
_DEMO: list[Callable[..., Any]] = []


def register_demo_seeder(seeder: Callable[..., Any]) -> None:
    _DEMO[:] = [seeder]


def demo_seeder() -> Callable[..., Any] | None:
    return _DEMO[0] if _DEMO else None
