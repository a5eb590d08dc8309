"""django-axes hooks: how an account is named, and the answer to a locked-out client;
the account-wide progressive delay.

django-axes locks per client address and per account-and-address
(AXES_LOCKOUT_PARAMETERS), never per account alone: five wrong passwords from five
addresses must not lock the owner out. For the account alone there is a delay instead:
after LOGIN_DELAY_AFTER_FAILURES failures from anywhere, each further attempt for the
account must come LOGIN_DELAY_BASE_SECONDS after the last failure, doubling with every
further failure up to LOGIN_DELAY_MAX_SECONDS. An address the account signed in from
before (LOGIN_KNOWN_ADDRESS_DAYS) skips the delay, so the owner signs in at once from
home; from a new address they wait a few seconds. A success clears the count.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
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


def _ident(*parts: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), ":".join(parts).encode(), hashlib.sha256
    ).hexdigest()[:40]


def _failures_key(email: str) -> str:
    return f"login:acct:failures:{_ident('acct', email)}"


def _last_failure_key(email: str) -> str:
    return f"login:acct:last:{_ident('acct', email)}"


def _known_key(email: str, ip_address: str) -> str:
    return f"login:known:{_ident('known', email, ip_address)}"


def account_delay_seconds(failures: int) -> int:
    """The wait before the next attempt after `failures` failures for one account."""
    over = failures - settings.LOGIN_DELAY_AFTER_FAILURES
    if over < 0:
        return 0
    return int(
        min(
            settings.LOGIN_DELAY_BASE_SECONDS * 2 ** min(over, 30), settings.LOGIN_DELAY_MAX_SECONDS
        )
    )


def account_wait_left(*, email: str, ip_address: str) -> int:
    """Seconds this attempt must still wait (0: go ahead)."""
    if cache.get(_known_key(email, ip_address)):
        return 0
    delay = account_delay_seconds(int(cache.get(_failures_key(email)) or 0))
    if not delay:
        return 0
    last = cache.get(_last_failure_key(email))
    if not isinstance(last, int | float):
        return 0
    left = last + delay - time.time()
    return max(1, int(left + 0.999)) if left > 0 else 0


def account_failure_record(*, email: str) -> None:
    window = cooloff_seconds()
    key = _failures_key(email)
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
    cache.touch(key, window)
    cache.set(_last_failure_key(email), time.time(), timeout=window)


def on_login_failed(sender, credentials: dict | None = None, request=None, **kwargs) -> None:
    """Every failed sign-in (API, console form, wrong staff code) counts for the account."""
    email = axes_username(request, credentials)
    if email:
        account_failure_record(email=email)


def account_success_record(*, email: str, ip_address: str) -> None:
    """Clear the account's failure count; remember the address as the owner's."""
    cache.delete_many([_failures_key(email), _last_failure_key(email)])
    cache.set(_known_key(email, ip_address), 1, timeout=settings.LOGIN_KNOWN_ADDRESS_DAYS * 86400)


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, cooloff_seconds() // 60)
    return (
        "Too many failed sign-in attempts for this account or from this address. "
        f"Try again in {minutes} minutes, or reset your password."
    )


def delay_message(seconds: int) -> str:
    return (
        "There were many failed sign-in attempts for this account. "
        f"Wait {seconds} seconds before trying again, or reset your password."
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
