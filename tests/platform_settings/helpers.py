"""Clients for the staff API and the staff console, shared by the money tests."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient

from apps.users.tokens import tokens_for
from tests.factories import StaffFactory, UserFactory
from tests.staff import console_client


def grant(user, *dotted: str) -> None:
    for name in dotted:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def bearer_client(user, *, second_factor: bool) -> APIClient:
    client = APIClient()
    token = tokens_for(user, second_factor=second_factor)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def staff_api_client(*permissions: str, email: str = "money-staff@krogiving.test") -> APIClient:
    """A staff member signed in with password and TOTP, holding `permissions`."""
    member = StaffFactory(email=email)
    grant(member, *permissions)
    client = bearer_client(member, second_factor=True)
    client.user = member
    return client


def permission_matrix_clients(*permissions: str) -> dict[str, tuple[APIClient, int]]:
    """Each kind of caller and the status it must get from an endpoint needing
    `permissions`."""
    ordinary = UserFactory(email="ordinary@krogiving.test")
    grant(ordinary, *permissions)  # even holding the permission, a non-staff token is refused
    no_second_factor = StaffFactory(email="no-2fa@krogiving.test")
    grant(no_second_factor, *permissions)
    no_permission = StaffFactory(email="no-perm@krogiving.test")
    allowed = StaffFactory(email="allowed@krogiving.test")
    grant(allowed, *permissions)
    return {
        "anonymous": (APIClient(), 401),
        "ordinary user": (bearer_client(ordinary, second_factor=True), 403),
        "staff without 2FA": (bearer_client(no_second_factor, second_factor=False), 403),
        "staff with 2FA, no permission": (bearer_client(no_permission, second_factor=True), 403),
        "allowed": (bearer_client(allowed, second_factor=True), 200),
    }


def staff_console_client(*permissions: str, email: str = "console@krogiving.test") -> Client:
    """A staff member in the Django admin, signed in with a verified TOTP device."""
    member = StaffFactory(email=email)
    grant(member, *permissions)
    client = console_client(member)
    client.user = member
    return client
