"""django-axes hooks: how an account is named, and the answer to a locked-out client."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from apps.core.errors import error_body


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Failures count per account whatever the case of the email typed.

    The API passes the email as `email`; the staff console's sign-in form (Django's
    authentication form) as `username`: both name the same account.
    """
    credentials = credentials or {}
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, cooloff_seconds() // 60)
    return (
        "Too many failed sign-in attempts for this account or from this address. "
        f"Try again in {minutes} minutes, or reset your password."
    )


def _is_console(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and "admin" in match.namespaces


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """429 with the lockout message: JSON for the API, a page for the staff console."""
    response: HttpResponse
    if _is_console(request):
        from django.contrib import admin

        context = {
            **admin.site.each_context(request),
            "message": lockout_message(),
            "title": "Sign-in locked",
        }
        response = TemplateResponse(request, "admin/console/locked_out.html", context, status=429)
        response.render()
        response["Retry-After"] = str(cooloff_seconds())
        return response
    response = JsonResponse(
        error_body("account_locked", lockout_message(), extra={"retry_after": cooloff_seconds()}),
        status=429,
    )
    response["Retry-After"] = str(cooloff_seconds())
    return response
