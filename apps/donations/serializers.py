"""Inputs (strict: unknown fields are refused, by name) and outputs.

Public outputs never carry a donor's email; an anonymous donation shows as "Anonymous"
with no name.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictSerializer

from .models import (
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Donation,
    DonationEvent,
    DonationRefund,
    DonationStatus,
)
from .selectors import LEADERBOARD_DEFAULT, LEADERBOARD_MAX

# --- inputs -------------------------------------------------------------------------------


class StrictIntegerField(serializers.IntegerField):
    """An integer as a JSON number: "5000", 50.5 and true are refused (money is exact)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class DonationInitializeInput(StrictSerializer):
    money_fields = {"amount": "currency", "tip_amount": "currency"}

    campaign = serializers.CharField(max_length=200, help_text="Campaign slug or id.")
    amount = StrictIntegerField(help_text="The gift, in minor units of `currency`.")
    currency = serializers.CharField(max_length=3, min_length=3)
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    anonymous = serializers.BooleanField(required=False, default=False)
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    tip_amount = StrictIntegerField(required=False, default=0, min_value=0)
    cover_fee = serializers.BooleanField(required=False, default=False)

    def validate_currency(self, value: str) -> str:
        return value.upper()


class RefundInput(StrictSerializer):
    money_fields = {"amount": "the donation's currency"}

    amount = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="Minor units of the donation's currency; leave out to refund all that is left.",
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class LeaderboardQuery(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, default=LEADERBOARD_DEFAULT, min_value=1, max_value=LEADERBOARD_MAX
    )


class AdminDonationFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=DonationStatus.choices, required=False)
    campaign = serializers.CharField(required=False, max_length=200)
    email = serializers.CharField(required=False, max_length=254)
    reference = serializers.CharField(required=False, max_length=64)
    needs_review = serializers.BooleanField(required=False, allow_null=True, default=None)
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        required=False,
        help_text="csv: every matching donation as a streamed CSV file (not a page).",
    )


# --- outputs ------------------------------------------------------------------------------


class BreakdownOutput(serializers.Serializer):
    money_fields = {
        **dict.fromkeys(("gift", "fee", "tip", "charged"), "currency"),
        **dict.fromkeys(("campaign_gift", "net_to_campaign"), "campaign_currency"),
    }

    gift = serializers.IntegerField(source="amount")
    fee = serializers.IntegerField(source="fee_amount")
    tip = serializers.IntegerField(source="tip_amount")
    cover_fee = serializers.BooleanField()
    charged = serializers.IntegerField(source="charged_amount")
    currency = serializers.CharField(source="currency_id")
    campaign_currency = serializers.CharField(source="campaign_currency_id")
    campaign_gift = serializers.IntegerField(source="gift_campaign")
    net_to_campaign = serializers.IntegerField(source="net_campaign")
    fx_rate = serializers.DecimalField(max_digits=40, decimal_places=20, allow_null=True)


class RateQuoteOutput(BreakdownOutput):
    """`GET /v1/rates`: the breakdown `POST /v1/donations/initialize` would answer."""

    money_fields = {**BreakdownOutput.money_fields, "campaign_fee": "campaign_currency"}

    gift = serializers.IntegerField(source="amount", help_text="The gift (`from`).")
    fee = serializers.IntegerField(source="fee_amount", help_text="The platform fee.")
    tip = serializers.IntegerField(source="tip_amount", help_text="The tip to the platform.")
    charged = serializers.IntegerField(
        source="charged_amount",
        help_text="What the donor is charged: gift + tip (+ fee when `cover_fee`).",
    )
    currency = serializers.CharField(source="currency_id", help_text="The donor's (`from`).")
    campaign_currency = serializers.CharField(
        source="campaign_currency_id", help_text="The campaign's (`to`)."
    )
    campaign_gift = serializers.IntegerField(
        source="gift_campaign", help_text="The gift converted at `fx_rate`."
    )
    campaign_fee = serializers.IntegerField(
        source="fee_campaign", help_text="The fee converted at `fx_rate`."
    )
    net_to_campaign = serializers.IntegerField(
        source="net_campaign",
        help_text="What the campaign receives (the converted gift, less the converted fee "
        "unless `cover_fee`).",
    )
    fx_rate = serializers.DecimalField(
        max_digits=40,
        decimal_places=20,
        allow_null=True,
        help_text="The adjusted rate (market rate less the platform margin), major units of "
        "`campaign_currency` per major unit of `currency`; null when they are the same.",
    )
    fx_market_rate = serializers.DecimalField(
        max_digits=40,
        decimal_places=20,
        allow_null=True,
        help_text="The market rate before the margin; null when the currencies are the same.",
    )


class DonationInitializeOutput(serializers.Serializer):
    money_fields = {"amount": "currency"}

    reference = serializers.CharField()
    authorization_url = serializers.CharField()
    access_code = serializers.CharField(source="paystack_access_code")
    amount = serializers.IntegerField(source="charged_amount", help_text="What is charged.")
    currency = serializers.CharField(source="currency_id")
    status = serializers.ChoiceField(choices=DonationStatus.choices)
    breakdown = BreakdownOutput(source="*")


class DonationStatusOutput(serializers.Serializer):
    money_fields = {"amount": "currency"}

    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=DonationStatus.choices)
    amount = serializers.IntegerField(source="charged_amount")
    currency = serializers.CharField(source="currency_id")
    campaign = serializers.CharField(source="campaign.slug")
    paid_at = serializers.DateTimeField(allow_null=True)


class PublicDonationOutput(serializers.Serializer):
    money_fields = {"amount": "currency"}

    name = serializers.CharField(source="public_name")
    anonymous = serializers.BooleanField()
    amount = serializers.IntegerField(source="gift_remaining", help_text="Less any refund.")
    currency = serializers.CharField(source="campaign_currency_id")
    message = serializers.CharField()
    donated_at = serializers.DateTimeField(source="paid_at")


class LeaderboardEntryOutput(serializers.Serializer):
    money_fields = {"total": "the campaign's currency (the leaderboard's `currency`)"}

    rank = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    anonymous = serializers.BooleanField()
    total = serializers.IntegerField()
    donation_count = serializers.IntegerField()


class LeaderboardOutput(serializers.Serializer):
    campaign = serializers.CharField()
    currency = serializers.CharField()
    results = LeaderboardEntryOutput(many=True)


class RefundOutput(serializers.ModelSerializer):
    money_fields = dict.fromkeys(
        ("amount", "net_part", "fee_part", "tip_part", "gift_part"), "currency"
    )

    currency = serializers.CharField(source="currency_id")
    donation = serializers.UUIDField(source="donation_id")
    requested_by = serializers.EmailField(source="requested_by.email", allow_null=True)

    class Meta:
        model = DonationRefund
        fields = [
            "id",
            "donation",
            "amount",
            "currency",
            "net_part",
            "fee_part",
            "tip_part",
            "gift_part",
            "completes",
            "status",
            "reason",
            "requested_by",
            "paystack_refund_id",
            "paystack_refund_reference",
            "paystack_status",
            "error",
            "created_at",
            "processed_at",
        ]


class AdminDonationOutput(serializers.ModelSerializer):
    money_fields = {
        **dict.fromkeys(
            ("amount", "fee_amount", "tip_amount", "charged_amount", "refunded_amount"), "currency"
        ),
        **dict.fromkeys(
            (
                "gift_campaign",
                "fee_campaign",
                "tip_campaign",
                "net_campaign",
                "refunded_gift_campaign",
            ),
            "campaign_currency",
        ),
    }

    campaign = serializers.SerializerMethodField()
    currency = serializers.CharField(source="currency_id")
    campaign_currency = serializers.CharField(source="campaign_currency_id")
    donor = serializers.UUIDField(source="donor_id", allow_null=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "reference",
            "status",
            "campaign",
            "donor",
            "email",
            "name",
            "anonymous",
            "message",
            "currency",
            "amount",
            "fee_amount",
            "tip_amount",
            "cover_fee",
            "charged_amount",
            "campaign_currency",
            "gift_campaign",
            "fee_campaign",
            "tip_campaign",
            "net_campaign",
            "fx_rate",
            "fx_source",
            "refunded_amount",
            "refunded_gift_campaign",
            "needs_review",
            "review_reason",
            "failure_reason",
            "channel",
            "paystack_transaction_id",
            "paid_at",
            "settled_via",
            "created_at",
            "updated_at",
        ]

    def get_campaign(self, donation: Donation) -> dict:
        return {
            "id": str(donation.campaign_id),
            "slug": donation.campaign.slug,
            "title": donation.campaign.title,
        }


class ActorOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()


class DonationEventOutput(serializers.ModelSerializer):
    """One timeline entry: what happened, where the word came from, who acted."""

    actor = ActorOutput(allow_null=True)

    class Meta:
        model = DonationEvent
        fields = ["id", "type", "source", "actor", "data", "created_at"]


class AdminDonationDetailOutput(AdminDonationOutput):
    refunds = RefundOutput(many=True, read_only=True)
    timeline = serializers.SerializerMethodField(
        help_text="What happened to the donation, oldest first (needs `timeline` in context)."
    )

    class Meta(AdminDonationOutput.Meta):
        fields = [*AdminDonationOutput.Meta.fields, "refunds", "timeline"]

    @extend_schema_field(DonationEventOutput(many=True))
    def get_timeline(self, donation: Donation) -> list[dict[str, Any]]:
        return list(DonationEventOutput(self.context["timeline"], many=True).data)
