"""Reads: the public list, detail lookups by slug, the organiser's own campaigns, comments."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, Prefetch, Q, QuerySet

from apps.core.errors import InvalidInput, NotFound
from apps.currency.models import Currency

from .cache import slug_campaign_id, slug_remember, slugs_version
from .models import (
    PUBLIC_STATUSES,
    Campaign,
    CampaignMedia,
    CampaignStatus,
    Category,
    Comment,
    MediaStatus,
)
from .search import search_filter, uses_full_text
from .slugs import slug_owner_id

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.users.models import User


def user_public_name(user: Any) -> str:
    """How a person appears in public: first and last name, never email or phone."""
    return (getattr(user, "full_name", "") or "").strip() or "A KROGiving user"


def _with_related(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """What the campaign serializers read, in a fixed number of queries for any page size."""
    return queryset.select_related("organizer").prefetch_related(
        Prefetch(
            "media",
            queryset=CampaignMedia.objects.filter(status=MediaStatus.READY).order_by(
                "position", "created_at", "pk"
            ),
            to_attr="ready_media",
        )
    )


CampaignOrdering = Callable[[QuerySet[Campaign]], QuerySet[Campaign]]

# The orderings the public list offers (API enum and error text), in this order.
# Campaigns implements its own; "trending" counts donations, which this app may not
# import (docs/architecture.md), so the layer that knows both registers it with
# `register_campaign_ordering` (krogiving/wiring.py).
ORDERINGS: tuple[str, ...] = ("newest", "most_funded", "ending_soon", "trending")

_ORDER_BY: dict[str, CampaignOrdering] = {
    "newest": lambda qs: qs.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk"),
    "most_funded": lambda qs: qs.order_by(
        "-raised_amount", F("published_at").desc(nulls_last=True), "-pk"
    ),
    "ending_soon": lambda qs: qs.order_by(
        F("end_date").asc(nulls_last=True), F("published_at").desc(nulls_last=True), "-pk"
    ),
}


def register_campaign_ordering(name: str, ordering: CampaignOrdering) -> None:
    """Provide the implementation of one of the `ORDERINGS` a higher layer owns."""
    if name not in ORDERINGS:
        raise ValueError(f"{name!r} is not one of the public orderings {ORDERINGS}")
    _ORDER_BY[name] = ordering


# What an organiser's campaign holds (raised, held, paid out, available), read from the
# ledger, which this app may not import: the layer that knows both registers a provider
# (krogiving/wiring.py). It takes campaigns and answers {campaign id: {name: amount}}.
CampaignMoney = Callable[[list[Campaign]], dict[Any, dict[str, int]]]
_money: list[CampaignMoney] = []


def register_campaign_money(provider: CampaignMoney) -> None:
    _money[:] = [provider]


def campaign_money_for(campaigns: list[Campaign]) -> dict[Any, dict[str, int]]:
    """Each campaign's money as the registered provider reads it ({} without one)."""
    return _money[0](campaigns) if _money and campaigns else {}


def campaign_orderings_missing() -> list[str]:
    """Public orderings nobody has registered an implementation for (a system check)."""
    return [name for name in ORDERINGS if name not in _ORDER_BY]


def _order(campaigns: QuerySet[Campaign], name: str) -> QuerySet[Campaign]:
    try:
        ordering = _ORDER_BY[name]
    except KeyError:
        raise ImproperlyConfigured(f"No implementation registered for ordering {name!r}") from None
    return ordering(campaigns)


DEFAULT_ORDERING = "newest"


def campaign_list_public(
    *,
    category: str | None = None,
    currency: str | None = None,
    q: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Campaign]:
    """Active campaigns. With `q` and no `ordering`, the best matches come first."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.ACTIVE)
    if category:
        campaigns = campaigns.filter(category_id=category)
    if currency:
        campaigns = campaigns.filter(currency_id=currency)
    if q:
        by_rank = ordering is None and uses_full_text()
        campaigns = search_filter(campaigns, q, rank=by_rank)
        if by_rank:
            campaigns = campaigns.order_by(
                "-search_rank", F("published_at").desc(nulls_last=True), "-pk"
            )
            return _with_related(campaigns)
    campaigns = _order(campaigns, ordering or DEFAULT_ORDERING)
    return _with_related(campaigns)


def category_slugs() -> list[str]:
    """Every category's slug, in the categories' order."""
    return list(Category.objects.values_list("slug", flat=True))


def category_unknown(value: object, *, field: str = "category") -> InvalidInput:
    """The 400 `unknown_category` refusal for `value`, listing the valid slugs (in the
    message and as `valid`), so a client can correct itself without another request."""
    valid = category_slugs()
    message = f"Unknown category {value!r}; use one of: {', '.join(valid)}."
    return InvalidInput(
        f"{field}: {message}",
        code="unknown_category",
        fields={field: [message]},
        extra={"valid": valid},
    )


def category_list_public() -> list[dict[str, Any]]:
    """Every category with the number of its campaigns in the public list (active ones,
    as `campaign_list_public` shows them), in the categories' order: one query."""
    rows = Category.objects.annotate(
        campaign_count=Count("campaigns", filter=Q(campaigns__status=CampaignStatus.ACTIVE))
    ).order_by("position", "slug")
    return [
        {"slug": row.slug, "name": row.name, "campaign_count": row.campaign_count} for row in rows
    ]


def campaign_list_check_filters(*, category: str | None, currency: str | None) -> None:
    """Refuse unknown filter values: an unknown category with `unknown_category` (the
    valid slugs listed), an unknown currency with `validation_error`."""
    if category and not Category.objects.filter(pk=category).exists():
        raise category_unknown(category)
    if currency and not Currency.objects.filter(pk=currency).exists():
        message = f"Unknown currency {currency!r}."
        raise InvalidInput(f"currency: {message}", fields={"currency": [message]})


def campaign_id_for_slug(slug: str) -> Any:
    """The campaign a current or former slug belongs to (any status), or None."""
    return slug_owner_id(slug)


def campaign_find(key: Any) -> Campaign | None:
    """The campaign named by its id or by a current or former slug (any status), or None."""
    text = str(key or "").strip()
    if not text:
        return None
    try:
        campaign_id: Any = uuid.UUID(text)
    except ValueError:
        # The slug's owner as the public pages remember it (forgotten by the slug
        # repair, the only change that moves a slug; one query fewer on donation
        # initialize, issue 15). The row itself is always read, fresh; a remembered
        # owner that no longer exists is looked up again.
        # The slug version is read before the rows, as the pages do (apps/campaigns/cache.py).
        version = slugs_version()
        remembered = slug_campaign_id(text, slugs_version=version)
        if remembered is not None:
            found = Campaign.objects.filter(pk=remembered).first()
            if found is not None:
                return found
        campaign_id = campaign_id_for_slug(text)
        if campaign_id is None:
            return None
        slug_remember(text, campaign_id, slugs_version=version)
    return Campaign.objects.filter(pk=campaign_id).first()


def campaign_detail(campaign_id: Any) -> Campaign | None:
    return _with_related(Campaign.objects.filter(pk=campaign_id)).first()


def campaign_is_public(campaign: Campaign) -> bool:
    return campaign.status in PUBLIC_STATUSES


def campaign_visible_to(
    campaign: Campaign, user: User | AnonymousUser | None, *, staff_verified: bool = False
) -> bool:
    """Anyone sees a public campaign; the others only their organiser and verified staff."""
    if campaign_is_public(campaign):
        return True
    return campaign_sees_private(campaign, user, staff_verified=staff_verified)


def campaign_sees_private(
    campaign: Campaign, user: User | AnonymousUser | None, *, staff_verified: bool = False
) -> bool:
    """The organiser and verified staff see the organiser's view (status reasons, ...).

    `staff_verified`: the request's token carries the second factor (the staff sign-in's
    claim, `apps.users.permissions.request_has_second_factor`). A staff member signed in
    with a password only is treated like any other user.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.pk == campaign.organizer_id:
        return True
    return bool(staff_verified and user.is_staff)


def campaign_get_visible(
    *, slug: str, user: User | AnonymousUser | None, staff_verified: bool = False
) -> Campaign:
    """By current or former slug; NotFound when missing or not for this user's eyes."""
    campaign_id = campaign_id_for_slug(slug)
    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id is not None else None
    if campaign is None or not campaign_visible_to(campaign, user, staff_verified=staff_verified):
        raise NotFound("No such campaign.")
    return campaign


def campaign_list_for_organizer(*, organizer: User) -> QuerySet[Campaign]:
    return _with_related(
        Campaign.objects.filter(organizer=organizer).order_by("-created_at", "-pk")
    )


def campaign_get_for_organizer(*, campaign_id: Any, organizer: User) -> Campaign:
    """The organiser's own campaign; anyone else (staff too) gets NotFound."""
    campaign = _with_related(
        Campaign.objects.filter(pk=campaign_id, organizer_id=organizer.pk)
    ).first()
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


def comment_list_public(*, campaign: Campaign) -> QuerySet[Comment]:
    """Visible comments, newest first, with their authors' names."""
    return (
        Comment.objects.filter(campaign=campaign, is_hidden=False)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def comment_get_own(*, campaign: Campaign, comment_id: Any, author: User) -> Comment:
    comment = Comment.objects.filter(pk=comment_id, campaign=campaign, author_id=author.pk).first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment


def campaign_list_admin(*, status: str = "", query: str = "") -> QuerySet[Campaign]:
    """Every campaign for the staff console, oldest submission first when filtering a queue."""
    campaigns = _with_related(Campaign.objects.all())
    if status:
        campaigns = campaigns.filter(status=status).order_by("submitted_at", "created_at", "pk")
    else:
        campaigns = campaigns.order_by("-created_at", "pk")
    if query:
        campaigns = campaigns.filter(
            Q(title__icontains=query)
            | Q(slug__icontains=query)
            | Q(organizer__email__icontains=query)
        )
    return campaigns
