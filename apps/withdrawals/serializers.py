"""Inputs (strict: unknown fields are refused, by name) and outputs. Amounts are integers
in minor units of the named currency; bank account numbers are shown masked."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.serializers import StrictSerializer

from .models import BankAccount, Withdrawal, WithdrawalEvent, WithdrawalStatus


class MoneyInteger(serializers.IntegerField):
    """An integer as a JSON number: "5000", 50.5 and true are refused (money is exact)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class BanksQuery(serializers.Serializer):
    currency = serializers.CharField(required=False, default="NGN", max_length=3)


class ResolveQuery(serializers.Serializer):
    account_number = serializers.CharField(max_length=20)
    bank_code = serializers.CharField(max_length=20)
    currency = serializers.CharField(required=False, default="NGN", max_length=3)


class BankOutput(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    slug = serializers.CharField()
    currency = serializers.CharField()


class ResolvedOutput(serializers.Serializer):
    account_number = serializers.CharField(help_text="Masked: the last four digits only.")
    bank_code = serializers.CharField()
    account_name = serializers.CharField()


class BankAccountInput(StrictSerializer):
    bank_code = serializers.CharField(max_length=20)
    account_number = serializers.CharField(max_length=20)
    currency = serializers.CharField(required=False, default="NGN", max_length=3)


class BankAccountOutput(serializers.ModelSerializer):
    account_number = serializers.CharField(source="masked_number")
    currency = serializers.CharField(source="currency_id")

    class Meta:
        model = BankAccount
        fields = [
            "id",
            "bank_code",
            "bank_name",
            "account_number",
            "account_name",
            "currency",
            "created_at",
        ]


class WithdrawalInput(StrictSerializer):
    money_fields = {"amount": "the campaign's currency"}

    campaign = serializers.CharField(max_length=200, help_text="Campaign id or slug.")
    amount = MoneyInteger(help_text="Minor units of the campaign's currency.")
    bank_account = serializers.UUIDField(help_text="One of your bank accounts.")


class ActorOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()


class WithdrawalEventOutput(serializers.ModelSerializer):
    actor = ActorOutput(allow_null=True)

    class Meta:
        model = WithdrawalEvent
        fields = ["id", "type", "source", "actor", "data", "created_at"]


class WithdrawalOutput(serializers.ModelSerializer):
    """A withdrawal as its organiser sees it; `timeline` when the view gives one."""

    money_fields = {"amount": "currency"}

    campaign = serializers.SerializerMethodField()
    currency = serializers.CharField(source="currency_id")
    bank_account = BankAccountOutput()
    status = serializers.ChoiceField(choices=WithdrawalStatus.choices)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "reference",
            "status",
            "amount",
            "currency",
            "campaign",
            "bank_account",
            "rejection_reason",
            "failure_reason",
            "created_at",
            "status_changed_at",
            "completed_at",
            "timeline",
        ]

    def get_campaign(self, withdrawal: Withdrawal) -> dict[str, str]:
        return {
            "id": str(withdrawal.campaign_id),
            "slug": withdrawal.campaign.slug,
            "title": withdrawal.campaign.title,
        }

    def get_timeline(self, withdrawal: Withdrawal) -> list[dict[str, Any]]:
        events = self.context.get("timelines", {}).get(withdrawal.pk, [])
        return list(WithdrawalEventOutput(events, many=True).data)
