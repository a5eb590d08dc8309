"""Inputs (strict: unknown and read-only fields are refused, by name) and outputs.

The organiser is shown by public name only, never by email or phone.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictSerializer

from . import rules
from .models import Campaign, CampaignMedia, CampaignStatus, MediaStatus
from .search import MAX_QUERY_LENGTH
from .selectors import ORDERINGS, campaign_money_for, user_public_name
from .services import MAX_COMMENT_LENGTH, MAX_GOAL_AMOUNT, MAX_STORY_LENGTH

EXCERPT_LENGTH = 200


def absolute_media_url(file: Any) -> str:
    """The stored file's URL; local storage answers a path, made absolute here."""
    try:
        url = file.url
    except ValueError:  # no file
        return ""
    if url.startswith("/"):
        return settings.PUBLIC_BASE_URL.rstrip("/") + url
    return url


def _ready_media(campaign: Campaign) -> list[CampaignMedia]:
    media = getattr(campaign, "ready_media", None)
    if media is None:  # not prefetched (a campaign fresh from a service)
        media = list(
            campaign.media.filter(status=MediaStatus.READY).order_by("position", "created_at", "pk")
        )
    return media


def progress(campaign: Campaign) -> dict[str, Any]:
    """Percentage of the goal raised, to one decimal, rounded half-up (may exceed 100)."""
    percentage = Decimal(0)
    if campaign.goal_amount > 0:
        percentage = (
            Decimal(campaign.raised_amount) * 100 / Decimal(campaign.goal_amount)
        ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {
        "raised": campaign.raised_amount,
        "goal": campaign.goal_amount,
        "percentage": float(percentage),
        "donor_count": campaign.donor_count,
    }


# --- outputs ----------------------------------------------------------------------------


class OrganizerOutput(serializers.Serializer):
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user_public_name(user)


class MediaOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()
    position = serializers.IntegerField()
    is_cover = serializers.BooleanField()

    def get_url(self, media: CampaignMedia) -> str:
        return absolute_media_url(media.file)


class ProgressOutput(serializers.Serializer):
    money_fields = {"raised": "the campaign's currency", "goal": "the campaign's currency"}

    raised = serializers.IntegerField()
    goal = serializers.IntegerField()
    percentage = serializers.FloatField()
    donor_count = serializers.IntegerField()


class CampaignListItemOutput(serializers.Serializer):
    money_fields = {"goal_amount": "currency", "raised_amount": "currency"}

    id = serializers.UUIDField()
    slug = serializers.CharField()
    title = serializers.CharField()
    excerpt = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    goal_amount = serializers.IntegerField()
    raised_amount = serializers.IntegerField()
    donor_count = serializers.IntegerField()
    currency = serializers.CharField(source="currency_id")
    category = serializers.CharField(source="category_id")
    organizer = OrganizerOutput()
    media = serializers.SerializerMethodField()
    cover_url = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    end_date = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)

    def get_excerpt(self, campaign: Campaign) -> str:
        story = " ".join((campaign.story or "").split())
        if len(story) <= EXCERPT_LENGTH:
            return story
        return story[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0] + "…"

    @extend_schema_field(MediaOutput(many=True))
    def get_media(self, campaign: Campaign) -> list[dict]:
        # many=True gives a ReturnList; the stubs type every .data as ReturnDict.
        return MediaOutput(_ready_media(campaign), many=True).data  # type: ignore[return-value]

    def get_cover_url(self, campaign: Campaign) -> str | None:
        media = _ready_media(campaign)
        images = [m for m in media if m.kind == "image"]
        cover = next((m for m in images if m.is_cover), images[0] if images else None)
        return absolute_media_url(cover.file) if cover else None

    @extend_schema_field(ProgressOutput)
    def get_progress(self, campaign: Campaign) -> dict:
        return progress(campaign)


class CampaignDetailOutput(CampaignListItemOutput):
    story = serializers.CharField()


class CampaignMoneyOutput(serializers.Serializer):
    money_fields = dict.fromkeys(
        ("raised", "held", "paid_out", "available"), "the campaign's currency"
    )

    raised = serializers.IntegerField()
    held = serializers.IntegerField()
    paid_out = serializers.IntegerField()
    available = serializers.IntegerField()


class CampaignOwnerOutput(CampaignDetailOutput):
    """What the organiser (and staff) see: the public view plus review state."""

    rejection_reason = serializers.CharField()
    suspension_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    editable_fields = serializers.SerializerMethodField()
    money = serializers.SerializerMethodField(
        help_text="From the ledger, in minor units of `currency`: raised, held for "
        "withdrawals in progress, paid out to the bank, and available to withdraw now."
    )

    def get_editable_fields(self, campaign: Campaign) -> list[str]:
        return sorted(rules.editable_fields(campaign.status))

    @extend_schema_field(CampaignMoneyOutput)
    def get_money(self, campaign: Campaign) -> dict[str, int] | None:
        money = self.context.get("money")
        if money is None:
            money = campaign_money_for([campaign])
        return money.get(campaign.pk)


class AdminCampaignOutput(CampaignOwnerOutput):
    """The owner view plus who the organiser is, for staff."""

    organizer_email = serializers.EmailField(source="organizer.email")


class AdminCampaignStatusInput(StrictSerializer):
    action = serializers.ChoiceField(choices=["approve", "reject", "suspend", "unsuspend"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs):
        if attrs["action"] in {"reject", "suspend"} and not attrs.get("reason", "").strip():
            raise serializers.ValidationError(
                {"reason": [f"A reason is required to {attrs['action']} a campaign."]}
            )
        return attrs


class CommentAuthorOutput(OrganizerOutput):
    pass


class CommentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    body = serializers.CharField()
    author = CommentAuthorOutput()
    created_at = serializers.DateTimeField()


class AdminCommentOutput(CommentOutput):
    campaign = serializers.UUIDField(source="campaign_id")
    is_hidden = serializers.BooleanField()
    hidden_at = serializers.DateTimeField(allow_null=True)
    hidden_reason = serializers.CharField()
    hidden_by = serializers.UUIDField(source="hidden_by_id", allow_null=True)


# --- inputs -----------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT64)
class MinorUnitsField(serializers.Field):
    """A JSON integer of minor units: no strings, no fractions, no booleans."""

    default_error_messages = {
        "invalid": "Give a whole number of minor units (kobo, cents), as a JSON integer.",
        "min_value": "Must be more than zero.",
        "max_value": "Must be at most {max_value}.",
    }

    def __init__(self, *, max_value: int, **kwargs: Any) -> None:
        self.max_value = max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        if data <= 0:
            self.fail("min_value")
        if data > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return data

    def to_representation(self, value: int) -> int:
        return value


class _NeverWritable(StrictSerializer):
    """Fields a client may read but never set: StrictSerializer refuses them by name."""

    money_fields = {"raised_amount": "currency"}

    id = serializers.UUIDField(read_only=True)
    slug = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=CampaignStatus.choices, read_only=True)
    raised_amount = serializers.IntegerField(read_only=True)
    donor_count = serializers.IntegerField(read_only=True)
    organizer = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    suspension_reason = serializers.CharField(read_only=True)
    media = serializers.ListField(read_only=True)


class CampaignCreateInput(_NeverWritable):
    money_fields = {"goal_amount": "currency", "raised_amount": "currency"}

    title = serializers.CharField(max_length=150)
    story = serializers.CharField(allow_blank=True, max_length=MAX_STORY_LENGTH)
    goal_amount = MinorUnitsField(max_value=MAX_GOAL_AMOUNT)
    currency = serializers.CharField(max_length=3)
    category = serializers.CharField(
        max_length=50, help_text="A category slug (`GET /v1/categories`)."
    )
    end_date = serializers.DateField(required=False, allow_null=True)


class CampaignReplaceInput(CampaignCreateInput):
    """PUT: the whole editable campaign; `end_date` must be sent too (null for none)."""

    end_date = serializers.DateField(allow_null=True)


class CategoryOutput(serializers.Serializer):
    slug = serializers.SlugField(help_text="The key campaigns name it by (`category`).")
    name = serializers.CharField()
    campaign_count = serializers.IntegerField(
        help_text="Campaigns in the public list (active ones) in this category."
    )


class CampaignListQuery(serializers.Serializer):
    """Query parameters of GET /v1/campaigns (unknown parameters are ignored)."""

    category = serializers.CharField(required=False, max_length=50)
    currency = serializers.CharField(required=False, max_length=3)
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH)
    ordering = serializers.CharField(required=False)

    def validate_ordering(self, value: str) -> str:
        value = value.strip().lower()
        if value not in ORDERINGS:
            raise serializers.ValidationError(
                f"Unknown ordering {value!r}; use one of {', '.join(ORDERINGS)}."
            )
        return value

    # Whether the category and currency exist is checked by the view on a cache miss
    # (selectors.campaign_list_check_filters), so a cached page costs no query.
    def validate_category(self, value: str) -> str:
        return value.strip().lower()

    def validate_currency(self, value: str) -> str:
        return value.strip().upper()

    def validate_q(self, value: str) -> str:
        return " ".join(value.split())


class CommentInput(StrictSerializer):
    body = serializers.CharField(max_length=MAX_COMMENT_LENGTH, trim_whitespace=True)


class CommentHideInput(StrictSerializer):
    reason = serializers.CharField(max_length=300)
