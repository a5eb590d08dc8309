from rest_framework import serializers

from apps.core.serializers import StrictSerializer

from .services import CHANNELS, PUBLIC_PURPOSES


class OtpSendInput(StrictSerializer):
    channel = serializers.ChoiceField(choices=CHANNELS)
    destination = serializers.CharField(max_length=254)
    purpose = serializers.ChoiceField(choices=sorted(PUBLIC_PURPOSES))

    def validate(self, attrs):
        needed = PUBLIC_PURPOSES[attrs["purpose"]]
        if attrs["channel"] != needed:
            raise serializers.ValidationError(
                {"channel": [f"{attrs['purpose']} codes go by {needed}."]}
            )
        return attrs


class OtpVerifyInput(StrictSerializer):
    destination = serializers.CharField(max_length=254)
    purpose = serializers.ChoiceField(choices=sorted(PUBLIC_PURPOSES))
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "Enter the 6-digit code."})
