"""django-axes hooks: how an account is named, and the answer to a locked-out client."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from apps.core.errors import error_body


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Failures count per account whatever the case of the email typed."""
    return str((credentials or {}).get("email") or "").strip().lower()


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, cooloff_seconds() // 60)
    return (
        "Too many failed sign-in attempts for this account or from this address. "
        f"Try again in {minutes} minutes, or reset your password."
    )


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> JsonResponse:
    response = JsonResponse(
        error_body("account_locked", lockout_message(), extra={"retry_after": cooloff_seconds()}),
        status=429,
    )
    response["Retry-After"] = str(cooloff_seconds())
    return response
