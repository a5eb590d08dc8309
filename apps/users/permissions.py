from rest_framework.permissions import BasePermission

from .backends import user_can_authenticate
from .tokens import SECOND_FACTOR_CLAIM


def request_has_second_factor(request) -> bool:
    """Staff whose token came from /v1/admin/auth/sign-in (password and TOTP).

    What staff may see beyond any other user, in the admin API and the public API alike,
    needs this: a password-only token (from /v1/users/login) gives staff no extra rights.
    """
    user = getattr(request, "user", None)
    token = getattr(request, "auth", None)
    return bool(
        user
        and user.is_authenticated
        and user.is_staff
        and user_can_authenticate(user)
        and token is not None
        and token.get(SECOND_FACTOR_CLAIM) is True
    )


class IsStaffWithSecondFactor(BasePermission):
    """Staff, signed in through /v1/admin/auth/sign-in (password and TOTP)."""

    message = (
        "This endpoint needs a staff token from POST /v1/admin/auth/sign-in "
        "(password and authenticator code)."
    )

    def has_permission(self, request, view) -> bool:
        return request_has_second_factor(request)


class HasAdminPermission(BasePermission):
    """The Django permissions the view names in `required_permissions`."""

    message = "Your staff account lacks the permission this endpoint needs."

    def has_permission(self, request, view) -> bool:
        required = getattr(view, "required_permissions", None)
        if not required:  # every admin endpoint must name what it needs
            return False
        return request.user.has_perms(required)


# Every /v1/admin/ view uses these and names its `required_permissions`.
ADMIN_PERMISSION_CLASSES = [IsStaffWithSecondFactor, HasAdminPermission]
