from django import forms
from django.contrib import admin, messages

from apps.core.admin import ReadOnlyAdmin
from apps.core.errors import ApplicationError

from .models import Currency, ExchangeRate, RateRefresh
from .services import currency_update, exchange_rate_record_manual, exchange_rate_revoke


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    """Currencies come from reference data; staff switch them on and off and set the
    minimum donation."""

    list_display = ("code", "name", "symbol", "exponent", "enabled", "minimum_donation")
    list_filter = ("enabled",)
    fields = ("code", "name", "symbol", "exponent", "enabled", "minimum_donation")
    readonly_fields = ("code", "name", "symbol", "exponent")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        currency_update(
            code=obj.code,
            enabled=form.cleaned_data["enabled"],
            minimum_donation=form.cleaned_data["minimum_donation"],
            actor=request.user,
        )


class ManualRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ("base", "quote", "rate")
        help_texts = {"rate": "The market rate: 1 base = rate quote. The margin is applied on use."}

    def clean(self):
        cleaned = super().clean()
        if cleaned and cleaned.get("base") and cleaned.get("base") == cleaned.get("quote"):
            self.add_error("quote", "Must differ from base.")
        return cleaned


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Staff add manual rates here (they win over fetched ones while fresh). Rows are
    never edited; a manual rate entered by mistake is revoked."""

    list_display = ("fetched_at", "base", "quote", "rate", "source", "created_by", "revoked_at")
    list_filter = ("source", "base", "quote")
    date_hierarchy = "fetched_at"
    ordering = ("-fetched_at",)
    list_select_related = ("created_by",)
    actions = ("revoke_rates",)
    readonly_fields = (
        "id",
        "base",
        "quote",
        "rate",
        "source",
        "fetched_at",
        "provider_time",
        "created_by",
        "revoked_at",
        "revoked_by",
        "created_at",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ManualRateForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("base", "quote", "rate") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        row = exchange_rate_record_manual(
            actor=request.user,
            base=form.cleaned_data["base"].code,
            quote=form.cleaned_data["quote"].code,
            rate=form.cleaned_data["rate"],
        )
        obj.pk = row.pk  # the admin's redirect and message name the stored row

    @admin.action(description="Revoke selected manual rates", permissions=["add"])
    def revoke_rates(self, request, queryset):
        revoked = 0
        for rate_id in queryset.values_list("pk", flat=True):
            try:
                exchange_rate_revoke(actor=request.user, rate_id=rate_id)
                revoked += 1
            except ApplicationError as exc:
                self.message_user(request, f"{rate_id}: {exc.message}", messages.WARNING)
        self.message_user(request, f"Revoked {revoked} rate(s).", messages.SUCCESS)


@admin.register(RateRefresh)
class RateRefreshAdmin(ReadOnlyAdmin):
    """Read-only: one row per call to the rate provider."""

    list_display = ("created_at", "provider", "base", "status", "rates_stored", "http_status")
    list_filter = ("status", "provider")
    ordering = ("-created_at",)
    fields = (
        "created_at",
        "provider",
        "base",
        "status",
        "http_status",
        "rates_stored",
        "missing",
        "error",
        "duration_ms",
    )
    readonly_fields = fields
