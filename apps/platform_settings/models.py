"""The settings staff tune: one record, a row of money settings per currency, per-campaign
withdrawal caps, and the log of every change. Written only by `services.py`."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.core.models import BaseModel
from apps.fees.policy import MAX_FEE_PERCENT_BPS

SINGLETON_PK = 1
MAX_FX_MARGIN_BPS = 5_000
MIN_RATE_AGE_SECONDS = 60
MAX_RATE_AGE_SECONDS = 7 * 24 * 3600


class PlatformSettings(models.Model):
    """The one settings record (pk=1): platform-wide values. Read it through
    `selectors.get_platform_settings()`, change it through `services.platform_settings_update`."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    fx_margin_bps = models.PositiveIntegerField(
        default=150,
        help_text="Taken off the market exchange rate, in basis points (150 = 1.5%).",
    )
    max_rate_age_seconds = models.PositiveIntegerField(
        default=6 * 3600,
        help_text="An exchange rate older than this is refused rather than used.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "platform settings"
        verbose_name_plural = "platform settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(id=SINGLETON_PK), name="platform_settings_singleton"
            ),
            models.CheckConstraint(
                condition=Q(fx_margin_bps__lte=MAX_FX_MARGIN_BPS),
                name="platform_settings_fx_margin_range",
            ),
            models.CheckConstraint(
                condition=Q(max_rate_age_seconds__gte=MIN_RATE_AGE_SECONDS)
                & Q(max_rate_age_seconds__lte=MAX_RATE_AGE_SECONDS),
                name="platform_settings_rate_age_range",
            ),
        ]

    def __str__(self) -> str:
        return "Platform settings"


class CurrencySettings(models.Model):
    """The money settings of one currency: withdrawal limits and the fee policy.

    Amounts are in the currency's minor unit.
    """

    currency = models.OneToOneField(
        "currency.Currency",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="platform_settings",
    )
    platform = models.ForeignKey(
        PlatformSettings,
        on_delete=models.CASCADE,
        default=SINGLETON_PK,
        editable=False,
        related_name="currencies",
    )
    withdrawal_cap = models.BigIntegerField(
        help_text="Largest amount one withdrawal request may ask for (global cap)."
    )
    minimum_withdrawal = models.BigIntegerField()
    fee_percent_bps = models.PositiveIntegerField(help_text="Basis points: 500 = 5%.")
    fee_flat = models.BigIntegerField()
    fee_cap = models.BigIntegerField(null=True, blank=True, help_text="Empty: no cap.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        verbose_name = "currency settings"
        verbose_name_plural = "currency settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_withdrawal__gte=1), name="currency_settings_minimum_positive"
            ),
            models.CheckConstraint(
                condition=Q(withdrawal_cap__gte=F("minimum_withdrawal")),
                name="currency_settings_cap_not_below_minimum",
            ),
            models.CheckConstraint(
                condition=Q(fee_percent_bps__lte=MAX_FEE_PERCENT_BPS),
                name="currency_settings_fee_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(fee_flat__gte=0), name="currency_settings_fee_flat_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fee_cap__isnull=True) | Q(fee_cap__gte=F("fee_flat")),
                name="currency_settings_fee_cap_not_below_flat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} settings"


class CampaignWithdrawalCap(BaseModel):
    """A campaign's own withdrawal cap per request, replacing the global one for it."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="withdrawal_cap_override"
    )
    amount = models.BigIntegerField(help_text="In the campaign currency's minor unit.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=1), name="campaign_withdrawal_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"cap {self.amount} for campaign {self.campaign_id}"


class SettingsChangeLog(BaseModel):
    """One changed setting: which, from what, to what, by whom, from where.

    `key` is the setting's name in `platform_settings_update` (for example
    `withdrawal_cap.NGN` or `campaign_withdrawal_cap.<campaign id>`). Never edited.
    """

    key = models.CharField(max_length=120, db_index=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept apart from the foreign key so the entry still says who after an account goes.
    actor_email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "key"]
        verbose_name = "settings change"
        verbose_name_plural = "settings change log"

    def __str__(self) -> str:
        return f"{self.key}: {self.old_value!r} -> {self.new_value!r}"
