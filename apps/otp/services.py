"""One-time codes: issue, verify, throttle.

A code is six digits, kept in the cache only as an HMAC keyed with SECRET_KEY, for
OTP_CODE_TTL_SECONDS. A code allows OTP_MAX_ATTEMPTS wrong tries, then it is burnt. One
destination gets a new code at most every OTP_RESEND_COOLDOWN_SECONDS and at most
OTP_HOURLY_LIMIT_PER_DESTINATION an hour; one client address may ask for at most
OTP_HOURLY_LIMIT_PER_CLIENT an hour. The code is never returned or logged: it travels
to the notification task as secret context (not stored), and only the console
backends of the development set-up print it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from apps.core.errors import InvalidInput, RateLimited
from apps.core.phone import normalize_phone

logger = logging.getLogger(__name__)

CHANNEL_EMAIL = "email"
CHANNEL_SMS = "sms"
CHANNELS = (CHANNEL_EMAIL, CHANNEL_SMS)

PURPOSE_VERIFY_EMAIL = "verify_email"
PURPOSE_VERIFY_PHONE = "verify_phone"
PURPOSE_PASSWORD_RESET = "password_reset"
PURPOSE_LABELS = {
    PURPOSE_VERIFY_EMAIL: "verify your email address",
    PURPOSE_VERIFY_PHONE: "verify your phone number",
    PURPOSE_PASSWORD_RESET: "reset your password",
}
# Purposes a client may ask for directly on /v1/otp/send, with the channel each needs.
PUBLIC_PURPOSES = {PURPOSE_VERIFY_EMAIL: CHANNEL_EMAIL, PURPOSE_VERIFY_PHONE: CHANNEL_SMS}

_HOUR = 3600


@dataclass(frozen=True)
class OtpIssued:
    channel: str
    destination: str
    purpose: str
    expires_in: int
    resend_in: int


def normalize_destination(*, channel: str, destination: str) -> str:
    """The canonical form of an email address or phone number; InvalidInput if neither."""
    value = (destination or "").strip()
    if channel == CHANNEL_EMAIL:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise InvalidInput(
                "destination: Enter a valid email address.",
                fields={"destination": ["Enter a valid email address."]},
            ) from exc
        return value.lower()
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise InvalidInput(
            f"destination: {exc.messages[0]}", fields={"destination": exc.messages}
        ) from exc


def channel_of(destination: str) -> str:
    return CHANNEL_EMAIL if "@" in (destination or "") else CHANNEL_SMS


def _digest(*parts: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), ":".join(parts).encode(), hashlib.sha256
    ).hexdigest()


def _keys(purpose: str, destination: str) -> tuple[str, str, str]:
    # Keys carry a digest, not the address or number itself.
    ident = _digest("otp-key", purpose, destination)[:40]
    return f"otp:code:{ident}", f"otp:tries:{ident}", f"otp:cooldown:{ident}"


def _window_count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def _seconds_left(key: str, default: int) -> int:
    expires_at = cache.get(key)
    if isinstance(expires_at, int | float):
        return max(1, int(expires_at - time.time() + 0.999))
    return default


def otp_send(
    *,
    channel: str,
    destination: str,
    purpose: str,
    client_ip: str,
    deliver: bool = True,
) -> OtpIssued:
    """Issue a code for `purpose` and send it to `destination` after commit.

    With `deliver=False` every limit is applied exactly as for a real send, but no code
    is stored or sent: used where telling "no such account" apart would leak it.
    """
    from apps.notifications.services import notification_send

    if channel not in CHANNELS:
        raise InvalidInput(
            "channel: Choose sms or email.", fields={"channel": ["Choose sms or email."]}
        )
    if purpose not in PURPOSE_LABELS:
        raise InvalidInput("purpose: Unknown purpose.", fields={"purpose": ["Unknown purpose."]})
    destination = normalize_destination(channel=channel, destination=destination)
    code_key, tries_key, cooldown_key = _keys(purpose, destination)
    ttl = settings.OTP_CODE_TTL_SECONDS
    cooldown = settings.OTP_RESEND_COOLDOWN_SECONDS

    if not cache.add(cooldown_key, time.time() + cooldown, timeout=cooldown):
        wait = _seconds_left(cooldown_key, cooldown)
        raise RateLimited(
            f"A code was sent to this destination moments ago. Wait {wait} seconds before "
            "asking for another.",
            retry_after=wait,
            code="otp_cooldown",
        )
    try:
        per_destination = _window_count(
            f"otp:hourly:dest:{_digest('dest', destination)[:40]}", _HOUR
        )
        if per_destination > settings.OTP_HOURLY_LIMIT_PER_DESTINATION:
            raise RateLimited(
                "Too many codes were sent to this destination in the last hour. Try again later.",
                retry_after=_HOUR,
                code="otp_hourly_limit",
            )
        per_client = _window_count(f"otp:hourly:ip:{_digest('ip', client_ip)[:40]}", _HOUR)
        if per_client > settings.OTP_HOURLY_LIMIT_PER_CLIENT:
            raise RateLimited(
                "Too many codes were requested from your network in the last hour. "
                "Try again later.",
                retry_after=_HOUR,
                code="otp_hourly_limit",
            )
    except RateLimited:
        cache.delete(cooldown_key)  # nothing was sent, so nothing to cool down from
        raise

    if deliver:
        code = f"{secrets.randbelow(10**6):06d}"
        cache.set(code_key, _digest("otp-code", purpose, destination, code), timeout=ttl)
        cache.delete(tries_key)
        with transaction.atomic():
            notification_send(
                channel=channel,
                template="otp_code",
                recipient=destination,
                context={"purpose_label": PURPOSE_LABELS[purpose], "minutes": max(1, ttl // 60)},
                secret_context={"code": code},
            )
        logger.info("otp issued", extra={"purpose": purpose, "channel": channel})
    return OtpIssued(
        channel=channel,
        destination=destination,
        purpose=purpose,
        expires_in=ttl,
        resend_in=cooldown,
    )


def otp_verify(*, destination: str, purpose: str, code: str) -> str:
    """Check a code once. Returns the normalised destination; raises on any failure.

    A right code is used up. A wrong one counts; the OTP_MAX_ATTEMPTS-th wrong try burns
    the code. Only verifies: what a right code unlocks (marking a contact verified,
    a password reset) is up to the caller.
    """
    if purpose not in PURPOSE_LABELS:
        raise InvalidInput("purpose: Unknown purpose.", fields={"purpose": ["Unknown purpose."]})
    channel = channel_of(destination)
    destination = normalize_destination(channel=channel, destination=destination)
    code = (code or "").strip()
    code_key, tries_key, _ = _keys(purpose, destination)

    stored = cache.get(code_key)
    if stored is None:
        raise InvalidInput(
            "This code has expired or was never sent. Ask for a new one.",
            code="otp_expired",
            fields={"code": ["This code has expired or was never sent. Ask for a new one."]},
        )
    tries = _window_count(tries_key, settings.OTP_CODE_TTL_SECONDS)
    if not hmac.compare_digest(stored, _digest("otp-code", purpose, destination, code)):
        left = settings.OTP_MAX_ATTEMPTS - tries
        if left <= 0:
            cache.delete_many([code_key, tries_key])
            raise RateLimited(
                "Too many wrong codes. This code can no longer be used; ask for a new one.",
                retry_after=0,
                code="otp_attempts_exceeded",
            )
        raise InvalidInput(
            f"The code is wrong. {left} {'try' if left == 1 else 'tries'} left.",
            code="otp_invalid",
            fields={"code": ["The code is wrong."]},
        )
    # One use: whoever deletes the code first wins; a concurrent second use fails.
    if not cache.delete(code_key):
        raise InvalidInput(
            "This code has already been used. Ask for a new one.",
            code="otp_expired",
            fields={"code": ["This code has already been used."]},
        )
    cache.delete(tries_key)
    logger.info("otp verified", extra={"purpose": purpose, "channel": channel})
    return destination
