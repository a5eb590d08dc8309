"""What an organiser may change in each campaign status (one table, used everywhere)."""

from .models import CampaignStatus

ALL_FIELDS = frozenset(
    {"title", "story", "goal_amount", "currency", "category", "end_date", "media"}
)

EDITABLE_FIELDS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: ALL_FIELDS,
    CampaignStatus.REJECTED: ALL_FIELDS,
    CampaignStatus.ACTIVE: frozenset({"story", "end_date", "media"}),
    CampaignStatus.PENDING_REVIEW: frozenset(),
    CampaignStatus.SUSPENDED: frozenset(),
    CampaignStatus.ENDED: frozenset(),
    CampaignStatus.CLOSED: frozenset(),
}


def editable_fields(status: str) -> frozenset[str]:
    return EDITABLE_FIELDS.get(status, frozenset())


def can_edit(status: str, field: str) -> bool:
    return field in editable_fields(status)
