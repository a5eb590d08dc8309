"""The console's admin site: one-step sign-in with TOTP, enrolment, sections, dashboard."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.admin import OTPAdminSite

from .forms import CODE_WIDGET_ATTRS, ConsoleAuthenticationForm
from .sections import console_sections

# The staff member who passed the password step but has no authenticator yet.
ENROL_SESSION_KEY = "console_enrolment"
ENROL_WINDOW_SECONDS = 10 * 60
BACKEND = "apps.users.backends.EmailBackend"


class ConsoleLoginView(LoginView):
    """Django's login view; a staff member without an authenticator goes to enrol one
    instead of being signed in."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not getattr(form, "needs_enrolment", False):
            return super().form_valid(form)
        user = form.get_user()
        self.request.session.cycle_key()
        self.request.session[ENROL_SESSION_KEY] = {
            "user": str(user.pk),
            "started": int(time.time()),
            "next": self.get_success_url(),
        }
        return HttpResponseRedirect(reverse("admin:enrol"))


class ConsoleSite(OTPAdminSite):
    site_header = "KROGiving staff console"
    site_title = "KROGiving console"
    index_title = "Dashboard"
    login_form = ConsoleAuthenticationForm
    login_template = "admin/console/login.html"
    index_template = "admin/console/index.html"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    # --- Index: sections and the dashboard -----------------------------------------

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        if app_label is not None:  # an app's own page keeps Django's shape
            return super().get_app_list(request, app_label)
        return console_sections(self._build_app_dict(request))

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from .dashboard import dashboard_for

        context = {"dashboard": dashboard_for(request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)

    # --- Sign-in and enrolment -------------------------------------------------------

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [
            path("enrol/", self.enrol, name="enrol"),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "Sign in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return ConsoleLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name=self.login_template,
        )(request)

    def _pending_enrolment(self, request: HttpRequest) -> Any:
        from apps.users.models import User

        pending = request.session.get(ENROL_SESSION_KEY)
        if not pending or time.time() - pending.get("started", 0) > ENROL_WINDOW_SECONDS:
            return None
        user = User.objects.filter(pk=pending["user"], is_staff=True, is_active=True).first()
        if user is None or user.is_suspended:
            return None
        return user

    @method_decorator(sensitive_post_parameters("otp_token"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def enrol(self, request: HttpRequest) -> HttpResponse:
        """Scan a QR code, then type the app's first code: that confirms the authenticator
        and signs the staff member in. Reached only from the password step."""
        from django import forms

        from apps.core.errors import InvalidInput
        from apps.core.http import client_ip
        from apps.users.services import staff_totp_enrolment_confirm, staff_totp_enrolment_start

        from .qr import qr_svg

        user = self._pending_enrolment(request)
        if user is None:
            request.session.pop(ENROL_SESSION_KEY, None)
            messages.info(
                request, "Sign in with your email and password to enrol an authenticator."
            )
            return HttpResponseRedirect(reverse("admin:login", current_app=self.name))

        class CodeForm(forms.Form):
            otp_token = forms.CharField(
                label="Code from the app",
                max_length=8,
                widget=forms.TextInput(attrs={**CODE_WIDGET_ATTRS, "autofocus": True}),
            )

        try:
            device = staff_totp_enrolment_start(user=user)
        except InvalidInput:  # enrolled meanwhile (another tab, totp_enroll)
            request.session.pop(ENROL_SESSION_KEY, None)
            messages.info(request, "You already have an authenticator: sign in with its code.")
            return HttpResponseRedirect(reverse("admin:login", current_app=self.name))

        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                device = staff_totp_enrolment_confirm(
                    user=user, token=form.cleaned_data["otp_token"], ip_address=client_ip(request)
                )
            except InvalidInput as exc:
                for problem in (exc.fields or {}).get("otp_token", [exc.message]):
                    form.add_error("otp_token", problem)
            else:
                next_url = request.session.pop(ENROL_SESSION_KEY, {}).get("next")
                user.otp_device = device  # django-otp persists it at login
                auth_login(request, user, backend=BACKEND)
                messages.success(request, "Your authenticator is set up. Welcome to the console.")
                if not next_url or not url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    next_url = reverse("admin:index", current_app=self.name)
                return HttpResponseRedirect(next_url)

        context = {
            **self.each_context(request),
            "title": "Set up your authenticator",
            "subtitle": None,
            "form": form,
            "member": user,
            "qr": qr_svg(device.config_url, title="QR code to scan with your authenticator app"),
            "secret": _grouped(_base32(device.bin_key)),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/console/enrol.html", context)


def _base32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode().rstrip("=")


def _grouped(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
