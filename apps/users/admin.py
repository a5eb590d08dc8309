from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from .models import User
from .services import user_suspend


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
    list_filter = ("is_staff", "is_superuser", "is_active", "is_suspended", "email_verified")
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

    @admin.action(
        description="Suspend selected users (revokes their tokens)", permissions=["change"]
    )
    def suspend_users(self, request, queryset):
        for user in queryset:
            user_suspend(
                user=user,
                actor=request.user,
                reason=f"Suspended by {request.user.email} in the console",
            )
        self.message_user(request, f"Suspended {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Lift suspension of selected users", permissions=["change"])
    def unsuspend_users(self, request, queryset):
        for user in queryset:
            user_suspend(user=user, actor=request.user, reason="", suspended=False)
        self.message_user(request, f"Lifted {queryset.count()} suspension(s).", messages.SUCCESS)
