"""Sign-in checks shared by the user login and the staff sign-in."""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.core.errors import ApplicationError, Forbidden, RateLimited
from apps.core.http import client_ip
from apps.core.locks import lock_totp_devices

from .lockout import (
    account_success_record,
    account_wait_left,
    cooloff_seconds,
    delay_message,
    lockout_message,
)
from .models import User

logger = logging.getLogger(__name__)


class BadCredentials(ApplicationError):
    status_code = 401
    code = "invalid_credentials"


def _locked(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def credentials_authenticate(*, request: HttpRequest, email: str, password: str) -> User:
    """Email and password through Django's authenticate, so django-axes counts failures.

    Raises RateLimited when the address or the account-and-address is locked out
    (`account_locked`) or the account's progressive delay is still running
    (`login_delayed`: lockout.py), Forbidden for a suspended account (only once the
    password is right), BadCredentials otherwise.
    """
    from axes.handlers.proxy import AxesProxyHandler

    email = email.strip().lower()
    # A locked address goes on to authenticate, where django-axes refuses it and marks
    # the request (its middleware answers the console's form with the lockout page).
    if AxesProxyHandler.is_allowed(request, {"email": email}):
        wait = account_wait_left(email=email, ip_address=client_ip(request))
        if wait:
            raise RateLimited(delay_message(wait), retry_after=wait, code="login_delayed")
    user = authenticate(request=request, email=email, password=password)
    if _locked(request):
        raise RateLimited(lockout_message(), retry_after=cooloff_seconds(), code="account_locked")
    if user is None:
        candidate = User.objects.filter(email__iexact=email).first()
        if candidate is not None and candidate.is_suspended and candidate.check_password(password):
            raise Forbidden(
                "This account is suspended. Contact support to have it reviewed.",
                code="account_suspended",
            )
        raise BadCredentials("Email or password is incorrect.")
    return user


def record_login(*, request: HttpRequest, user: User) -> None:
    """Tell Django (last_login) and axes (reset the failure count) of a sign-in."""
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    account_success_record(email=user.email.lower(), ip_address=client_ip(request))
    if not user.last_login:
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())


def totp_check(*, request: HttpRequest, user: User, email: str, token: str) -> None:
    """Check the code of the staff member's confirmed TOTP device; a code works once.

    django-otp's TOTP device refuses a code at or before the last one it accepted, so a
    replayed code fails. A wrong code counts as a failed sign-in for the lockout.
    """
    with transaction.atomic():
        # Locked, so two requests racing with one code cannot both pass the last_t check.
        devices = lock_totp_devices(user_id=user.pk)
        if any(device.verify_token(token) for device in devices):
            return
    user_login_failed.send(sender=__name__, credentials={"email": email}, request=request)
    if _locked(request):
        raise RateLimited(lockout_message(), retry_after=cooloff_seconds(), code="account_locked")
    if not devices:
        raise Forbidden(
            "This staff account has no confirmed authenticator. Ask an administrator to "
            "enrol one (manage.py totp_enroll).",
            code="otp_device_missing",
        )
    raise BadCredentials(
        "otp: The code is wrong, expired or already used.",
        code="invalid_otp",
        fields={"otp": ["The code is wrong, expired or already used."]},
    )
