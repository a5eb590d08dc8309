from rest_framework import serializers

from apps.core.serializers import StrictSerializer


class MinorUnitsField(serializers.IntegerField):
    """A JSON integer of minor units: "100", 100.0 and true are refused, not coerced."""

    default_error_messages = {"invalid": "Must be a whole number of minor units (a JSON integer)."}

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid")
        return super().to_internal_value(data)


class CurrencyCodeField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=3, min_length=3, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        from apps.currency.selectors import currency_codes

        code = super().to_internal_value(data).upper()
        if code not in currency_codes():
            raise serializers.ValidationError(f"Unknown currency {code!r}.")
        return code


class GlobalWithdrawalCapInput(StrictSerializer):
    money_fields = {"amount": "currency"}

    amount = MinorUnitsField(min_value=1, max_value=10**15)
    currency = CurrencyCodeField()


class GlobalWithdrawalCapOutput(serializers.Serializer):
    money_fields = {"amount": "currency", "previous_amount": "currency"}

    currency = serializers.CharField()
    amount = serializers.IntegerField()
    previous_amount = serializers.IntegerField(allow_null=True)


class FeePolicyOutput(serializers.Serializer):
    money_fields = {
        "flat": "the currency these settings are for",
        "cap": "the currency these settings are for",
    }

    percent_bps = serializers.IntegerField()
    flat = serializers.IntegerField()
    cap = serializers.IntegerField(allow_null=True)


class CurrencySettingsOutput(serializers.Serializer):
    money_fields = dict.fromkeys(
        ("withdrawal_cap", "minimum_withdrawal"), "the currency these settings are for (their key)"
    )

    withdrawal_cap = serializers.IntegerField()
    minimum_withdrawal = serializers.IntegerField()
    fee = FeePolicyOutput()


class PlatformSettingsOutput(serializers.Serializer):
    fx_margin_bps = serializers.IntegerField()
    max_rate_age_seconds = serializers.IntegerField()
    currencies = serializers.DictField(child=CurrencySettingsOutput())
    updated_at = serializers.DateTimeField(allow_null=True)


class SettingsChangeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.CharField()
    old_value = serializers.JSONField()
    new_value = serializers.JSONField()
    actor = serializers.SerializerMethodField()
    ip_address = serializers.IPAddressField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_actor(self, entry) -> dict | None:
        if entry.actor_id is None and not entry.actor_email:
            return None
        return {
            "id": str(entry.actor_id) if entry.actor_id else None,
            "email": entry.actor.email if entry.actor_id else entry.actor_email,
        }


class WithdrawalCapChangeOutput(SettingsChangeOutput):
    currency = serializers.SerializerMethodField()
    campaign = serializers.SerializerMethodField()

    def get_currency(self, entry) -> str | None:
        prefix, _, suffix = entry.key.partition(".")
        return suffix if prefix == "withdrawal_cap" else None

    def get_campaign(self, entry) -> str | None:
        prefix, _, suffix = entry.key.partition(".")
        return suffix if prefix == "campaign_withdrawal_cap" else None


class CurrencyAvailabilityOutput(serializers.Serializer):
    """A currency (`pricing.CurrencyAvailability`) as `GET /v1/currencies` shows it."""

    money_fields = {"minimum_donation": "this currency (`code`)"}

    code = serializers.CharField(source="currency.code", help_text="ISO 4217 code.")
    name = serializers.CharField(source="currency.name")
    symbol = serializers.CharField(source="currency.symbol")
    exponent = serializers.IntegerField(
        source="currency.exponent", help_text="Decimal places of the minor unit (kobo: 2)."
    )
    minimum_donation = serializers.IntegerField(
        source="currency.minimum_donation",
        help_text="The smallest gift, in minor units of this currency.",
    )
    can_donate = serializers.BooleanField(
        help_text="A donation in this currency can be made right now (to `donate_to`)."
    )
    donate_to = serializers.ListField(
        child=serializers.CharField(),
        help_text="Campaign currencies a gift in this currency can go to right now.",
    )
    receive_from = serializers.ListField(
        child=serializers.CharField(),
        help_text="Currencies a donor can give in, right now, to a campaign in this currency.",
    )
