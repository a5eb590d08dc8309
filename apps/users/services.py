"""Every write to accounts: registration, profile, password reset, suspension."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.audit.services import audit_log
from apps.core.errors import InvalidInput
from apps.core.locks import lock_totp_devices, lock_user
from apps.core.phone import normalize_phone

from .models import User

if TYPE_CHECKING:
    from apps.otp.services import OtpIssued

logger = logging.getLogger(__name__)


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], fields={"password": exc.messages}) from exc


def _duplicate_fields(
    email: str | None, phone: str | None, exclude_id: uuid.UUID | None = None
) -> dict[str, list[str]]:
    """Fields another account holds. A phone counts only when that account verified it:
    an unverified number does not block its real owner (`_release_unverified_phone`)."""
    errors: dict[str, list[str]] = {}
    others = User.objects.exclude(pk=exclude_id) if exclude_id else User.objects.all()
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email already exists."]
    if phone and others.filter(phone=phone, phone_verified=True).exists():
        errors["phone"] = ["An account with this phone number already exists."]
    return errors


def _release_unverified_phone(phone: str | None, exclude_id: uuid.UUID | None = None) -> None:
    """Take `phone` off any other account that holds it unverified (in the caller's
    transaction): whoever verifies a number owns it, and typing someone else's number
    into a profile must not lock its owner out of registering with it."""
    if not phone:
        return
    others = User.objects.filter(phone=phone, phone_verified=False)
    if exclude_id:
        others = others.exclude(pk=exclude_id)
    released = list(others.select_for_update().values_list("pk", flat=True))
    if released:
        User.objects.filter(pk__in=released).update(phone=None)
        logger.info("unverified phone released", extra={"user_ids": [str(p) for p in released]})


def user_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str | None = None,
) -> User:
    """Create an account; the welcome email follows the commit."""
    from apps.notifications.services import notification_send

    email = User.objects.normalize_email(email).strip().lower()
    phone = normalize_phone(phone) if phone else None
    user = User(
        email=email, first_name=first_name.strip(), last_name=last_name.strip(), phone=phone
    )
    _check_password(password, user)
    duplicates = _duplicate_fields(email, phone)
    if duplicates:
        raise InvalidInput(next(iter(duplicates.values()))[0], code="duplicate", fields=duplicates)
    user.set_password(password)
    try:
        with transaction.atomic():
            _release_unverified_phone(phone)
            user.save()
            notification_send(
                channel="email",
                template="welcome",
                recipient=user.email,
                context={"first_name": user.first_name},
                user=user,
            )
    except IntegrityError as exc:  # a concurrent registration won the race
        duplicates = _duplicate_fields(email, phone) or {"email": ["This account already exists."]}
        raise InvalidInput(
            next(iter(duplicates.values()))[0], code="duplicate", fields=duplicates
        ) from exc
    logger.info("user registered", extra={"user_id": str(user.id)})
    return user


def user_update_profile(
    *,
    user: User,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: str | None = "",
) -> User:
    """Change names and phone. A new phone number must be verified again.

    `phone=""` (the default) leaves the phone alone; `phone=None` removes it.
    """
    changed: list[str] = []
    if first_name is not None:
        user.first_name = first_name.strip()
        changed.append("first_name")
    if last_name is not None:
        user.last_name = last_name.strip()
        changed.append("last_name")
    if phone != "":
        new_phone = normalize_phone(phone) if phone else None
        if new_phone != user.phone:
            duplicates = _duplicate_fields(None, new_phone, exclude_id=user.pk)
            if duplicates:
                raise InvalidInput(duplicates["phone"][0], code="duplicate", fields=duplicates)
            user.phone = new_phone
            user.phone_verified = False
            changed += ["phone", "phone_verified"]
    if changed:
        try:
            with transaction.atomic():
                if "phone" in changed:
                    _release_unverified_phone(user.phone, exclude_id=user.pk)
                user.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise InvalidInput(
                "An account with this phone number already exists.",
                code="duplicate",
                fields={"phone": ["An account with this phone number already exists."]},
            ) from exc
    return user


def user_mark_contact_verified(*, channel: str, destination: str) -> int:
    """Mark the email or phone verified on the account that has it; returns rows changed."""
    if channel == "email":
        return User.objects.filter(email__iexact=destination, email_verified=False).update(
            email_verified=True
        )
    return User.objects.filter(phone=destination, phone_verified=False).update(phone_verified=True)


def user_verify_contact(*, destination: str, purpose: str, code: str) -> str:
    """Check a verify_email / verify_phone code and mark the contact verified on the
    account that holds it (if any). Returns the normalised destination."""
    from apps.otp.services import (
        PURPOSE_VERIFY_EMAIL,
        PURPOSE_VERIFY_PHONE,
        channel_of,
        otp_verify,
    )

    destination = otp_verify(destination=destination, purpose=purpose, code=code)
    if purpose in (PURPOSE_VERIFY_EMAIL, PURPOSE_VERIFY_PHONE):
        user_mark_contact_verified(channel=channel_of(destination), destination=destination)
    return destination


def user_revoke_tokens(*, user: User) -> int:
    """Blacklist every refresh token the user holds (password change, suspension)."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    tokens = list(outstanding)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in tokens], ignore_conflicts=True
    )
    return len(tokens)


# --- Staff authenticators (TOTP devices) -----------------------------------------------

STAFF_DEVICE_NAME = "authenticator"


def _staff_only(user: User) -> None:
    if not user.is_staff:
        raise InvalidInput(f"{user.email} is not staff; make it staff first.")


def staff_totp_device_enrol(
    *, user: User, actor: User | None, name: str = STAFF_DEVICE_NAME
) -> TOTPDevice:
    """A confirmed authenticator for a staff member, replacing any of the same name
    (`manage.py totp_enroll`: the secret is handed over out of band)."""
    _staff_only(user)
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, name=name).delete()[0]
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        audit_log(
            actor=actor,
            action="user.totp_enrol",
            target_type="user",
            target_id=str(user.pk),
            before={"replaced": replaced},
            after={"device": name, "confirmed": True},
        )
        _tell_authenticator_added(user, how="set up by an administrator")
    return device


def _tell_authenticator_added(user: User, *, how: str) -> None:
    """Email the staff member: a new authenticator is the one thing an attacker with their
    password would set up, so they hear of every one (after commit)."""
    from apps.notifications.services import notification_send

    notification_send(
        channel="email",
        template="authenticator_added",
        recipient=user.email,
        context={"first_name": user.first_name, "how": how},
        user=user,
    )


def staff_totp_devices_reset(*, user: User, actor: User | None) -> int:
    """Remove every authenticator of a staff member (a lost phone): they enrol a new one
    at their next console sign-in. Returns how many were removed."""
    _staff_only(user)
    with transaction.atomic():
        names = sorted(TOTPDevice.objects.filter(user=user).values_list("name", flat=True))
        TOTPDevice.objects.filter(user=user).delete()
        audit_log(
            actor=actor,
            action="user.totp_reset",
            target_type="user",
            target_id=str(user.pk),
            before={"devices": names},
            after={"devices": []},
        )
    return len(names)


def staff_totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator a staff member without one is asked to scan.

    The same device (and secret) on every call until it is confirmed, so reloading the
    enrolment page does not invalidate a code already scanned. Refused once the member
    has a confirmed authenticator: replacing one takes `totp_enroll --reset`.
    """
    _staff_only(user)
    with transaction.atomic():
        lock_user(user.pk)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise InvalidInput("This staff member already has an authenticator.")
        device = (
            TOTPDevice.objects.filter(user=user, confirmed=False, name=STAFF_DEVICE_NAME)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=STAFF_DEVICE_NAME, confirmed=False)
    return device


def staff_totp_enrolment_confirm(
    *, user: User, token: str, ip_address: str | None = None
) -> TOTPDevice:
    """Confirm the device of `staff_totp_enrolment_start` with a first right code from the
    authenticator app; raises InvalidInput (field `otp_token`) for a wrong code."""
    _staff_only(user)
    with transaction.atomic():
        lock_user(user.pk)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise InvalidInput("This staff member already has an authenticator.")
        pending = lock_totp_devices(user_id=user.pk, confirmed=False, name=STAFF_DEVICE_NAME)
        device = pending[0] if pending else None
        token = (token or "").strip().replace(" ", "")
        # A wrong code is not an exception here, so the device's throttling count it keeps.
        right = device is not None and token.isdigit() and device.verify_token(token)
        if device is not None and right:
            _confirm_enrolment(user=user, device=device, ip_address=ip_address)
    if device is None or not right:
        raise InvalidInput(
            "otp_token: The code is wrong or expired.",
            fields={"otp_token": ["The code is wrong or expired: enter the current one."]},
        )
    return device


def _confirm_enrolment(*, user: User, device: TOTPDevice, ip_address: str | None) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    audit_log(
        actor=user,
        action="user.totp_enrol",
        target_type="user",
        target_id=str(user.pk),
        before={"replaced": 0},
        after={"device": device.name, "confirmed": True, "by": "console enrolment"},
        ip_address=ip_address,
    )
    _tell_authenticator_added(user, how="from the staff console sign-in")


def user_password_reset_request(*, channel: str, destination: str, client_ip: str) -> OtpIssued:
    """Apply the code limits to a reset request and hand the rest to a task after commit.

    The request does the same work whether or not an account has the contact (no account
    lookup, no code, no notification row): the task looks the account up and sends a code
    only to an existing, active account's email or phone. So neither the answer nor its
    timing tells who has an account.
    """
    from apps.otp.services import PURPOSE_PASSWORD_RESET, otp_send

    from .tasks import password_reset_code_send

    issued = otp_send(
        channel=channel,
        destination=destination,
        purpose=PURPOSE_PASSWORD_RESET,
        client_ip=client_ip,
        deliver=False,
    )
    transaction.on_commit(
        lambda: password_reset_code_send.delay(channel=channel, destination=issued.destination)
    )
    return issued


def user_password_reset_code_deliver(*, channel: str, destination: str) -> bool:
    """The task's half of a reset request: a code to the account that has this contact,
    if there is one and it may sign in. True when a code was sent."""
    from apps.otp.services import PURPOSE_PASSWORD_RESET, otp_issue

    user = user_find_by_contact(channel=channel, destination=destination)
    if user is None or not user.is_active:
        return False
    return otp_issue(channel=channel, destination=destination, purpose=PURPOSE_PASSWORD_RESET)


def user_find_by_contact(*, channel: str, destination: str) -> User | None:
    """The account a password-reset code may go to: by email, or by a phone the account
    has VERIFIED (a number typed by mistake, or by someone else, must not let the
    number's owner take the account over)."""
    if channel == "email":
        return User.objects.filter(email__iexact=destination).first()
    return User.objects.filter(phone=destination, phone_verified=True).first()


def user_reset_password(*, channel: str, destination: str, code: str, new_password: str) -> User:
    """Set a new password after a one-time code sent to the account's email or phone.

    The password is checked before the code, so a weak password does not use up the code.
    Every refresh token of the account is revoked; a notice goes to the account's email.
    """
    from apps.notifications.services import notification_send
    from apps.otp.services import PURPOSE_PASSWORD_RESET, otp_verify

    user = user_find_by_contact(channel=channel, destination=destination)
    _check_password(new_password, user or User(email=destination if channel == "email" else ""))
    otp_verify(destination=destination, purpose=PURPOSE_PASSWORD_RESET, code=code)
    if user is None:  # cannot happen unless the account went away since the code was sent
        raise InvalidInput(
            "The code is wrong or has expired.",
            code="otp_invalid",
            fields={"code": ["The code is wrong or has expired."]},
        )
    with transaction.atomic():
        locked: User = lock_user(user.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password", "updated_at"])
        user_revoke_tokens(user=locked)
        notification_send(
            channel="email",
            template="password_changed",
            recipient=locked.email,
            context={"first_name": locked.first_name},
            user=locked,
        )
    logger.info("password reset", extra={"user_id": str(locked.id)})
    return locked


def user_suspend(
    *,
    user: User,
    actor: User | None,
    reason: str,
    suspended: bool = True,
    request: HttpRequest | None = None,
) -> User:
    """Suspend (or lift the suspension of) an account; a suspended user's tokens die.

    Refresh tokens are blacklisted here; access tokens stop at once because every
    request's authentication refuses a suspended user (`authentication.JWTAuthentication`),
    and a console session ends at its next request (`EmailBackend.get_user` refuses a
    suspended user too).
    """
    with transaction.atomic():
        user = lock_user(user.pk)
        was_suspended = user.is_suspended
        user.is_suspended = suspended
        user.suspended_reason = reason if suspended else ""
        user.save(update_fields=["is_suspended", "suspended_reason", "updated_at"])
        if suspended:
            user_revoke_tokens(user=user)
        audit_log(
            actor=actor,
            action="user.suspend" if suspended else "user.unsuspend",
            target_type="user",
            target_id=str(user.pk),
            before={"is_suspended": was_suspended},
            after={"is_suspended": suspended, "reason": user.suspended_reason},
            request=request,
        )
    return user


# Role names as typed on the command line -> the staff groups (apps/core/seeding.py).
STAFF_ROLES = {
    "reviewer": "Reviewers",
    "reviewers": "Reviewers",
    "finance": "Finance",
    "support": "Support",
    "superadmin": "Superadmins",
    "superadmins": "Superadmins",
}


def staff_role_group(role: str) -> str:
    """The staff group a role names ("finance" -> "Finance"); InvalidInput otherwise."""
    group = STAFF_ROLES.get(role.strip().lower())
    if group is None:
        choices = ", ".join(sorted({r for r in STAFF_ROLES if not r.endswith("s")}))
        raise InvalidInput(f"{role!r} is not a staff role; use one of: {choices}.")
    return group


def staff_member_create(
    *, email: str, role: str, password: str, actor: User | None, first_name: str = ""
) -> tuple[User, TOTPDevice]:
    """A new staff member in one role's group, with a confirmed authenticator
    (`manage.py create_staff`, the demo seed). The caller hands the device's otpauth://
    URL over out of band, once. InvalidInput when the email is taken, the password is
    weak or the role's group is not seeded yet."""
    from django.contrib.auth.models import Group

    group_name = staff_role_group(role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput(f"An account with the email {email} exists already.")
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        raise InvalidInput(f"The {group_name} group does not exist yet: run manage.py seed.")
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=None, is_staff=True, first_name=first_name
        )
        _check_password(password, user)
        user.set_password(password)
        user.save()
        user.groups.add(group)
        audit_log(
            actor=actor,
            action="user.staff_create",
            target_type="user",
            target_id=str(user.pk),
            after={"email": email, "group": group_name},
        )
        device = staff_totp_device_enrol(user=user, actor=actor)
    return user, device
