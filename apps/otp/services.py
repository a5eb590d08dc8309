"""One-time codes: issue, verify, throttle.

A code is six digits, kept in the cache only as an HMAC keyed with SECRET_KEY, for
OTP_CODE_TTL_SECONDS. A code allows OTP_MAX_ATTEMPTS wrong tries, then it is burnt. One
destination gets a new code at most every OTP_RESEND_COOLDOWN_SECONDS and at most
OTP_HOURLY_LIMIT_PER_DESTINATION an hour; one client address may ask for at most
OTP_HOURLY_LIMIT_PER_CLIENT an hour. SMS goes only to numbers of OTP_SMS_COUNTRIES, and
the whole platform sends at most OTP_GLOBAL_HOURLY_LIMIT codes an hour (the cap trips
an ALERT log line and, at most once an hour, an email to staff). The code is never
returned or logged: it travels to the notification task as secret context (not
stored), and only the console backends of the development set-up print it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from apps.core.errors import Forbidden, InvalidInput, RateLimited
from apps.core.phone import normalize_phone

if TYPE_CHECKING:
    from apps.users.models import User

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


def sms_country_allowed(phone: str) -> bool:
    """The number (E.164) is in one of OTP_SMS_COUNTRIES (ISO codes such as NG, or calling
    codes such as +234)."""
    allowed = {str(c).strip().upper() for c in settings.OTP_SMS_COUNTRIES if str(c).strip()}
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    region = phonenumbers.region_code_for_number(parsed) or ""
    return region.upper() in allowed or f"+{parsed.country_code}" in allowed


def _check_sms_country(destination: str) -> None:
    if not sms_country_allowed(destination):
        raise InvalidInput(
            "destination: We cannot send text messages to this country. Use a number "
            "of a country we serve, or verify by email.",
            code="otp_country_not_allowed",
            fields={"destination": ["We cannot send text messages to this country."]},
        )


def _global_key() -> str:
    return f"otp:global:{int(time.time()) // _HOUR}"


def _global_cap_check() -> None:
    """Refuse any send once the platform-wide hourly cap is reached (read only: it is
    counted where a code is really issued, in `otp_issue`)."""
    sent = cache.get(_global_key()) or 0
    if sent >= settings.OTP_GLOBAL_HOURLY_LIMIT:
        _global_cap_alert(sent)
        raise RateLimited(
            "We are sending too many codes right now. Try again later.",
            retry_after=_HOUR - int(time.time()) % _HOUR,
            code="otp_global_limit",
        )


def _global_cap_alert(sent: int) -> None:
    """An ALERT log line, and (at most once an hour) an email to staff."""
    if not cache.add("otp:global:alerted", 1, timeout=_HOUR):
        return
    from apps.notifications.services import staff_alert_send

    summary = (
        f"{sent} one-time codes were sent this hour, the cap OTP_GLOBAL_HOURLY_LIMIT="
        f"{settings.OTP_GLOBAL_HOURLY_LIMIT}: further sends are refused until the hour "
        "ends. It may be SMS pumping: check the notification records."
    )
    logger.error("ALERT otp global hourly cap reached", extra={"alert": True, "sent": sent})
    with transaction.atomic():
        staff_alert_send(check="otp_global_cap", summary=summary, headline="OTP sending cap")


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
    """Apply every limit for a code for `purpose` to `destination`, then (with
    `deliver`) issue it and send it after commit.

    With `deliver=False` every limit is applied exactly as for a real send, but no code
    is stored or sent: the caller issues it later with `otp_issue` (the password reset
    does so in a task, so the request does the same work whether or not an account has
    the contact).
    """
    if channel not in CHANNELS:
        raise InvalidInput(
            "channel: Choose sms or email.", fields={"channel": ["Choose sms or email."]}
        )
    if purpose not in PURPOSE_LABELS:
        raise InvalidInput("purpose: Unknown purpose.", fields={"purpose": ["Unknown purpose."]})
    destination = normalize_destination(channel=channel, destination=destination)
    if channel == CHANNEL_SMS:
        _check_sms_country(destination)
    _global_cap_check()
    _, _, cooldown_key = _keys(purpose, destination)
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

    if deliver and not otp_issue(channel=channel, destination=destination, purpose=purpose):
        cache.delete(cooldown_key)
        raise RateLimited(
            "We are sending too many codes right now. Try again later.",
            retry_after=_HOUR - int(time.time()) % _HOUR,
            code="otp_global_limit",
        )
    return OtpIssued(
        channel=channel,
        destination=destination,
        purpose=purpose,
        expires_in=ttl,
        resend_in=cooldown,
    )


def otp_send_own_contact(
    *, user: User, channel: str, destination: str, purpose: str, client_ip: str
) -> OtpIssued:
    """`otp_send` for a signed-in user verifying a contact of their own account: the
    destination must be the account's email (verify_email) or phone (verify_phone)."""
    destination = normalize_destination(channel=channel, destination=destination)
    own = (user.email or "").lower() if channel == CHANNEL_EMAIL else (user.phone or "")
    if not own or not hmac.compare_digest(own, destination):
        raise Forbidden(
            "destination: Codes go only to your own account's email address or phone "
            "number. Change it in your profile first.",
            code="otp_not_your_contact",
            fields={"destination": ["This is not your account's email or phone number."]},
        )
    return otp_send(channel=channel, destination=destination, purpose=purpose, client_ip=client_ip)


def otp_issue(*, channel: str, destination: str, purpose: str) -> bool:
    """Store a new code for a normalised `destination` and send it after commit; counts
    towards the global hourly cap. False (nothing sent) once the cap is reached."""
    from apps.notifications.services import notification_send

    sent = _window_count(_global_key(), _HOUR)
    if sent > settings.OTP_GLOBAL_HOURLY_LIMIT:
        _global_cap_alert(sent - 1)
        return False
    code_key, tries_key, _ = _keys(purpose, destination)
    ttl = settings.OTP_CODE_TTL_SECONDS
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
    return True


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
