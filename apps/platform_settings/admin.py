"""The staff console for platform settings. Every save goes through the service, so it
is validated the same way and written to the change log."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from apps.core.admin import ReadOnlyAdmin
from apps.core.errors import InvalidInput
from apps.core.http import client_ip

from .defaults import seed_platform_settings
from .models import CampaignWithdrawalCap, CurrencySettings, PlatformSettings, SettingsChangeLog
from .services import (
    CURRENCY_COLUMNS,
    CURRENCY_FIELDS,
    PLATFORM_FIELDS,
    campaign_withdrawal_cap_set,
    platform_settings_update,
    platform_settings_validate,
)

RECENT_CHANGES = 20
_COLUMN_KEYS = {CURRENCY_COLUMNS.get(prefix, prefix): prefix for prefix in CURRENCY_FIELDS}


def _add_service_errors(form: forms.BaseForm, exc: InvalidInput, names: dict[str, str]) -> None:
    for key, problems in (exc.fields or {"__all__": [exc.message]}).items():
        field = names.get(key)
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


class PlatformSettingsForm(forms.ModelForm):
    class Meta:
        model = PlatformSettings
        fields = list(PLATFORM_FIELDS)

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name in PLATFORM_FIELDS
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                platform_settings_validate(changes=self.changes())
            except InvalidInput as exc:
                _add_service_errors(self, exc, {name: name for name in PLATFORM_FIELDS})
        return cleaned


class CurrencySettingsForm(forms.ModelForm):
    class Meta:
        model = CurrencySettings
        fields = list(_COLUMN_KEYS)

    def changes(self) -> dict:
        code = self.instance.currency_id
        return {
            f"{_COLUMN_KEYS[name]}.{code}": self.cleaned_data[name]
            for name in self.changed_data
            if name in _COLUMN_KEYS
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.currency_id:
            try:
                platform_settings_validate(changes=self.changes())
            except InvalidInput as exc:
                code = self.instance.currency_id
                names = {f"{prefix}.{code}": column for column, prefix in _COLUMN_KEYS.items()}
                _add_service_errors(self, exc, names)
        return cleaned


class CurrencySettingsInline(admin.TabularInline):
    model = CurrencySettings
    form = CurrencySettingsForm
    fields = ("currency", *_COLUMN_KEYS)
    readonly_fields = ("currency",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    """The one settings record: the list page goes straight to it."""

    form = PlatformSettingsForm
    inlines = (CurrencySettingsInline,)
    fields = (*PLATFORM_FIELDS, "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not PlatformSettings.objects.filter(pk=1).exists():
            seed_platform_settings()
        return HttpResponseRedirect(
            reverse("admin:platform_settings_platformsettings_change", args=[1])
        )

    change_form_template = "admin/platform_settings/platformsettings/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The settings with their latest changes below (all of them on the change log)."""
        context = dict(extra_context or {})
        if request.user.has_perm("platform_settings.view_settingschangelog"):
            context["recent_changes"] = list(
                SettingsChangeLog.objects.order_by("-created_at", "key")[:RECENT_CHANGES]
            )
            context["change_log_url"] = reverse(
                "admin:platform_settings_settingschangelog_changelist"
            )
        return super().change_view(request, object_id, form_url, context)

    def save_model(self, request, obj, form, change):
        """Nothing here: `save_related` hands every change to the service at once."""

    def save_formset(self, request, form, formset, change):
        """Nothing here either (see `save_related`)."""

    def save_related(self, request, form, formsets, change):
        changes = dict(form.changes())
        for formset in formsets:
            # What formset.save() would leave, for the admin's own history message.
            formset.new_objects, formset.deleted_objects, formset.changed_objects = [], [], []
            for inline_form in formset.forms:
                if hasattr(inline_form, "changes") and inline_form.has_changed():
                    changes.update(inline_form.changes())
                    formset.changed_objects.append((inline_form.instance, inline_form.changed_data))
        if not changes:
            return
        try:
            platform_settings_update(
                actor=request.user, changes=changes, ip_address=client_ip(request)
            )
        except InvalidInput as exc:  # changed by someone else since the form was checked
            self.message_user(request, f"Not saved: {exc.message}", messages.ERROR)


class CampaignWithdrawalCapForm(forms.ModelForm):
    class Meta:
        model = CampaignWithdrawalCap
        fields = ("campaign", "amount")

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        campaign = cleaned.get("campaign")
        if campaign is not None and cleaned.get("amount") is not None and not self.errors:
            key = f"campaign_withdrawal_cap.{campaign.pk}"
            try:
                platform_settings_validate(changes={key: cleaned["amount"]})
            except InvalidInput as exc:
                _add_service_errors(self, exc, {key: "amount"})
        return cleaned

    def validate_unique(self):
        """The service replaces an existing cap of the campaign; no duplicate error."""


@admin.register(CampaignWithdrawalCap)
class CampaignWithdrawalCapAdmin(admin.ModelAdmin):
    """A campaign's own cap per withdrawal request, instead of its currency's global one."""

    form = CampaignWithdrawalCapForm
    list_display = ("campaign", "amount", "set_by", "updated_at")
    list_select_related = ("campaign", "set_by")
    raw_id_fields = ("campaign",)
    search_fields = ("campaign__title", "campaign__slug")
    readonly_fields = ("set_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "campaign") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        campaign_withdrawal_cap_set(
            actor=request.user,
            campaign_id=obj.campaign_id,
            amount=form.cleaned_data["amount"],
            ip_address=client_ip(request),
        )
        stored = CampaignWithdrawalCap.objects.get(campaign_id=obj.campaign_id)
        obj.pk = stored.pk

    def delete_model(self, request, obj):
        campaign_withdrawal_cap_set(
            actor=request.user,
            campaign_id=obj.campaign_id,
            amount=None,
            ip_address=client_ip(request),
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SettingsChangeLog)
class SettingsChangeLogAdmin(ReadOnlyAdmin):
    """Read-only: written by the settings service, one row per changed setting."""

    list_display = ("created_at", "key", "old_value", "new_value", "actor_email", "ip_address")
    search_fields = ("key", "actor_email")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "key")
    fields = ("created_at", "key", "old_value", "new_value", "actor", "actor_email", "ip_address")
    readonly_fields = fields
