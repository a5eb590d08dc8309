from django.db import models


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
