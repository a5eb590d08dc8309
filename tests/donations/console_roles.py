"""Staff roles for the donations and users console tests, as the seeded groups grant them
(apps/core/seeding.py STAFF_GROUPS; Finance also gets donations.import_donation)."""

from django.contrib.auth.models import Group, Permission

from tests.factories import StaffFactory

ROLES = {
    "finance": [
        "donations.view_donation",
        "donations.refund_donation",
        "donations.import_donation",
        "withdrawals.view_withdrawal",
        "withdrawals.approve_withdrawal",
    ],
    "support": ["users.view_user", "donations.view_donation"],
    "reviewer": ["campaigns.view_campaign", "campaigns.review_campaign"],
    "administrator": ["users.view_user", "users.change_user", "donations.view_donation"],
}


def staff_with_role(role: str, email: str | None = None):
    group, _ = Group.objects.get_or_create(name=f"test-{role}")
    for dotted in ROLES[role]:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    member = StaffFactory(email=email or f"{role}@krogiving.test")
    member.groups.add(group)
    return type(member).objects.get(pk=member.pk)
