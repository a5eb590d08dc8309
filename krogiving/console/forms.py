"""The console's sign-in: email, password and the authenticator code in one step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import user_login_failed
from django.core.exceptions import ValidationError
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.errors import Forbidden, RateLimited
from apps.users.auth import BadCredentials, credentials_authenticate

CODE_WIDGET_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "maxlength": "8",
}


class ConsoleAuthenticationForm(OTPAdminAuthenticationForm):
    """django-otp's admin form, without the "Please select a device" round trip.

    The password goes through the same check (and django-axes lockout) as the API's
    sign-in. A staff member with one authenticator has it chosen for them; one with
    several is asked to pick the one they used (django-otp will not try a code against
    each device: every miss would count against that device's throttle). A staff member
    with no authenticator yet passes the password step only: the site then sends them
    to enrol one (`needs_enrolment`), and they are signed in once it is confirmed.
    """

    otp_token = forms.CharField(
        required=False,
        label="Authenticator code",
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
        help_text="The 6-digit code your authenticator app shows now.",
    )
    otp_device = forms.CharField(required=False, widget=forms.Select, label="Authenticator")

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required="Enter the 6-digit code from your authenticator app.",
        invalid_token="That code is wrong, expired or already used: enter the current one.",
        device_required=(
            "You have more than one authenticator: choose the one you used and enter its "
            "current code."
        ),
    )

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email"
        self.needs_enrolment = False
        self.show_devices = False

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        try:
            self.user_cache = credentials_authenticate(
                request=self.request, email=email, password=password
            )
        except RateLimited as exc:
            raise ValidationError(exc.message, code="account_locked") from exc
        except Forbidden as exc:
            raise ValidationError(exc.message, code="inactive") from exc
        except BadCredentials as exc:
            raise self.get_invalid_login_error() from exc
        self.confirm_login_allowed(self.user_cache)

        devices = list(TOTPDevice.objects.filter(user=self.user_cache, confirmed=True))
        if not devices:
            self.needs_enrolment = True
            return self.cleaned_data
        self.show_devices = len(devices) > 1
        if len(devices) == 1:
            self.cleaned_data["otp_device"] = devices[0].persistent_id
        try:
            self.clean_otp(self.user_cache)
        except ValidationError as exc:
            if exc.code not in ("token_required", "device_required"):
                # A wrong code (or one typed while the device is throttled after wrong
                # ones) counts towards the lockout, as in the API's staff sign-in.
                user_login_failed.send(
                    sender=__name__, credentials={"email": email}, request=self.request
                )
            raise
        return self.cleaned_data
