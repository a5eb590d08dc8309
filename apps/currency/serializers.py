from rest_framework import serializers

from apps.core.serializers import StrictSerializer


class RateTextField(serializers.CharField):
    """A rate as a JSON string: a JSON number would pass through a float and lose digits."""

    default_error_messages = {
        "invalid": 'Give the rate as a string, e.g. "1532.12", so that no digit is lost.'
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ManualRateInput(StrictSerializer):
    base = serializers.CharField(max_length=3)
    quote = serializers.CharField(max_length=3)
    rate = RateTextField(max_length=40)


class ExchangeRateOutput(serializers.Serializer):
    id = serializers.UUIDField()
    base = serializers.CharField(source="base_id")
    quote = serializers.CharField(source="quote_id")
    rate = serializers.DecimalField(max_digits=30, decimal_places=18, coerce_to_string=True)
    # A declared field named "source": DRF's metaclass moves it off the class attributes.
    source = serializers.CharField()  # type: ignore[assignment]
    fetched_at = serializers.DateTimeField()
    provider_time = serializers.DateTimeField(allow_null=True)
    created_by = serializers.SerializerMethodField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_created_by(self, row) -> str | None:
        return row.created_by.email if row.created_by_id else None


class CurrencyOutput(serializers.Serializer):
    money_fields = {"minimum_donation": "this currency (`code`)"}

    code = serializers.CharField()
    name = serializers.CharField()
    symbol = serializers.CharField()
    exponent = serializers.IntegerField()
    minimum_donation = serializers.IntegerField()
