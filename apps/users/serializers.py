from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from apps.core.phone import normalize_phone
from apps.core.serializers import StrictSerializer

User = get_user_model()


class PhoneField(serializers.CharField):
    """A phone number in any common form, answered in E.164."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalize_phone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone"]
        read_only_fields = fields


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "email_verified",
            "phone_verified",
            "date_joined",
        ]
        read_only_fields = fields


class RegisterInput(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    phone = PhoneField(max_length=32, required=False, allow_null=True, allow_blank=True)


class LoginInput(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class StaffSignInInput(LoginInput):
    otp = serializers.RegexField(
        r"^\d{6,8}$", max_length=8, error_messages={"invalid": "Enter the 6-digit code."}
    )


class RefreshInput(StrictSerializer):
    refresh = serializers.CharField()


class ProfileUpdateInput(StrictSerializer):
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False)
    phone = PhoneField(max_length=32, required=False, allow_null=True)


class PasswordResetRequestInput(StrictSerializer):
    email = serializers.EmailField(max_length=254, required=False)
    phone = PhoneField(max_length=32, required=False)

    def validate(self, attrs):
        if bool(attrs.get("email")) == bool(attrs.get("phone")):
            raise serializers.ValidationError("Give either email or phone.")
        return attrs


class PasswordResetConfirmInput(PasswordResetRequestInput):
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "Enter the 6-digit code."})
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthOutput(TokenPairOutput):
    user = UserSerializer()


class AdminUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "email_verified",
            "phone_verified",
            "is_staff",
            "is_active",
            "is_suspended",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields


class SuspendInput(StrictSerializer):
    reason = serializers.CharField(max_length=500, trim_whitespace=True)
