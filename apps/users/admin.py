"""The people console: search and filter users, suspend and reinstate them through
`user_suspend` (their tokens stop working at once), see their campaigns and donations.
No deleting users from the console.

The users app sits below campaigns and donations and may not import them: those apps
add their read-only lists to a user's page with `register_user_inline`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .models import User
from .services import user_suspend

CHANGE_PERMISSION = "users.change_user"

# (inline class, the permission a staff member needs to see it)
_USER_INLINES: list[tuple[type[admin.options.InlineModelAdmin], str]] = []


def register_user_inline(inline: type[admin.options.InlineModelAdmin], *, permission: str) -> None:
    """Show `inline` (read-only) on each user's console page to staff with `permission`."""
    if all(existing is not inline for existing, _ in _USER_INLINES):
        _USER_INLINES.append((inline, permission))


class SuspendForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class _UserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class _UserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = _UserChangeForm
    add_form = _UserCreationForm
    ordering = ("-date_joined",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "phone",
        "is_staff",
        "is_suspended",
        "email_verified",
        "phone_verified",
        "date_joined",
    )
    list_filter = ("is_staff", "is_suspended", "is_active", "is_superuser", "email_verified")
    search_fields = ("email", "first_name", "last_name", "phone")
    readonly_fields = ("last_login", "date_joined", "is_suspended", "suspended_reason")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "phone")}),
        ("Verification", {"fields": ("email_verified", "phone_verified")}),
        ("Suspension", {"fields": ("is_suspended", "suspended_reason")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ("suspend_users", "unsuspend_users")
    change_form_template = "admin/users/user/change_form.html"

    # No deleting people from the console (their donations, campaigns and audit rows
    # point at them): suspend instead.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_inlines(self, request, obj):
        if obj is None:
            return list(self.inlines)
        extra = [inline for inline, needed in _USER_INLINES if request.user.has_perm(needed)]
        return [*self.inlines, *extra]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<uuid:object_id>/suspend/",
                wrap(self.suspend_view),
                name="users_user_suspend",
            ),
            path(
                "<uuid:object_id>/reinstate/",
                wrap(self.reinstate_view),
                name="users_user_reinstate",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_suspend": request.user.has_perm(CHANGE_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def suspend_view(self, request, object_id: Any):
        """Suspend one user, with a reason: a confirmation page, then `user_suspend`."""
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        member = get_object_or_404(User, pk=object_id)
        change_url = reverse("admin:users_user_change", args=[member.pk])
        form = SuspendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if member.pk == request.user.pk:
                self.message_user(request, "You cannot suspend yourself.", messages.ERROR)
            else:
                user_suspend(
                    user=member,
                    actor=request.user,
                    reason=form.cleaned_data["reason"].strip(),
                    request=request,
                )
                self.message_user(
                    request,
                    f"{member.email} is suspended; their tokens no longer work.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Suspend {member.email}",
            "opts": self.opts,
            "member": member,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/users/user/suspend.html", context)

    def reinstate_view(self, request, object_id: Any):
        """Lift a suspension (POST only, from the user's page)."""
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member = get_object_or_404(User, pk=object_id)
        user_suspend(user=member, actor=request.user, reason="", suspended=False, request=request)
        self.message_user(request, f"{member.email} is reinstated.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:users_user_change", args=[member.pk]))

    @admin.action(
        description="Suspend selected users (revokes their tokens)", permissions=["change"]
    )
    def suspend_users(self, request, queryset):
        for user in queryset:
            user_suspend(
                user=user,
                actor=request.user,
                reason=f"Suspended by {request.user.email} in the console",
                request=request,
            )
        self.message_user(request, f"Suspended {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Lift suspension of selected users", permissions=["change"])
    def unsuspend_users(self, request, queryset):
        for user in queryset:
            user_suspend(user=user, actor=request.user, reason="", suspended=False, request=request)
        self.message_user(request, f"Lifted {queryset.count()} suspension(s).", messages.SUCCESS)
