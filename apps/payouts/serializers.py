"""Staff inputs (strict) and outputs for payouts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.serializers import StrictSerializer
from apps.withdrawals.models import WithdrawalStatus
from apps.withdrawals.serializers import WithdrawalOutput


class PayoutListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=WithdrawalStatus.choices, required=False)
    needs_review = serializers.BooleanField(required=False, allow_null=True, default=None)


class TwoFactorOutput(serializers.Serializer):
    factor = serializers.ChoiceField(choices=["totp"])
    devices = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()


class ApproveInput(StrictSerializer):
    withdrawal_ids = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=50
    )
    otp = serializers.CharField(max_length=8, help_text="The authenticator code, now.")


class ApproveResultOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(
        choices=WithdrawalStatus.choices, help_text="The withdrawal's status after the request."
    )
    code = serializers.CharField(required=False, help_text="Why it was not approved.")
    error = serializers.CharField(required=False)


class ApproveOutput(serializers.Serializer):
    results = ApproveResultOutput(many=True)


class RejectInput(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class FinalizeInput(StrictSerializer):
    otp = serializers.CharField(max_length=20, help_text="The OTP Paystack sent for the transfer.")


class AdminWithdrawalOutput(WithdrawalOutput):
    requested_by = serializers.SerializerMethodField()
    reviewed_by = serializers.EmailField(source="reviewed_by.email", allow_null=True, default=None)

    class Meta(WithdrawalOutput.Meta):
        fields = [
            *WithdrawalOutput.Meta.fields,
            "requested_by",
            "reviewed_by",
            "reviewed_at",
            "transfer_code",
            "transfer_status",
            "needs_review",
        ]

    def get_requested_by(self, withdrawal: Any) -> dict[str, str]:
        user = withdrawal.requested_by
        return {"id": str(user.pk), "email": user.email}
