from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.core.models import BaseModel

MANUAL_SOURCE = "manual"
# A rate is kept to 18 decimal places with up to 12 digits before the point, so the
# inverse of a large rate (NGN per USD) still has 15 significant digits.
RATE_MAX_DIGITS = 30
RATE_DECIMAL_PLACES = 18


class Currency(models.Model):
    """An ISO 4217 currency the platform knows. Amounts are integers in its minor unit."""

    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=64)
    exponent = models.PositiveSmallIntegerField(
        default=2, help_text="Digits of the minor unit: 2 for kobo, cents and pesewas."
    )
    symbol = models.CharField(max_length=8)
    enabled = models.BooleanField(default=True)
    minimum_donation = models.BigIntegerField(help_text="In minor units.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_donation__gt=0),
                name="currency_minimum_donation_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(exponent__lte=4), name="currency_exponent_max_4"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ExchangeRate(BaseModel):
    """A market rate: one `base` unit is worth `rate` `quote` units (major units).

    `source` is "manual" for a rate staff entered, else the provider's name. Age is
    counted from `fetched_at`, when we obtained it; `provider_time` is what the provider
    said its rate was as of. Rows are never changed, except that staff may revoke a
    manual rate entered by mistake. The platform margin is applied on use, not stored.
    """

    base = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES)
    source = models.CharField(max_length=64, db_index=True)
    fetched_at = models.DateTimeField()
    provider_time = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-fetched_at", "-created_at"]
        indexes = [
            models.Index(fields=["base", "quote", "-fetched_at"], name="exchange_rate_pair_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~Q(base=F("quote")), name="exchange_rate_distinct_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.base_id} = {self.rate} {self.quote_id} ({self.source})"

    @property
    def is_manual(self) -> bool:
        return self.source == MANUAL_SOURCE


class RateRefreshStatus(models.TextChoices):
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # some currencies were missing or unreadable; the rest stored
    FAILED = "failed"  # nothing stored; the old rates stay in use


class RateRefresh(BaseModel):
    """One call to the rate provider: what we asked, what came back, what we stored."""

    provider = models.CharField(max_length=64)
    base = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=RateRefreshStatus.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    rates_stored = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "exchange-rate refresh"
        verbose_name_plural = "exchange-rate refreshes"

    def __str__(self) -> str:
        return f"{self.provider} {self.status} at {self.created_at:%Y-%m-%d %H:%M}"
