"""Every write to campaigns and comments: create, edit, lifecycle, slugs, moderation.

Lifecycle (ARCHITECTURE.md): draft -> pending_review (submit) -> active (approve) |
rejected (reject; edit and resubmit). active -> ended (deadline) | closed (organiser) |
suspended (staff; unsuspend returns it to active).

Each transition locks the campaign row, checks the current status against
`TRANSITIONS` and refuses with Conflict (409) naming the current status. Notifications
are recorded in the transaction and delivered after the commit; cached public views are
invalidated after the commit.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.services import audit_log
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.core.locks import lock_campaign, lock_campaign_slug, lock_comment
from apps.currency.models import Currency
from apps.currency.money import format_money

from . import rules
from .cache import campaign_cache_invalidate, slugs_forget
from .models import (
    COMMENTABLE_STATUSES,
    Campaign,
    CampaignMedia,
    CampaignSlug,
    CampaignStatus,
    Category,
    Comment,
    MediaKind,
    MediaStatus,
)
from .selectors import category_unknown, user_public_name
from .slugs import slug_choose, slug_fits_title, slug_is_valid

if TYPE_CHECKING:
    from apps.users.models import User
else:
    User = get_user_model()

logger = logging.getLogger(__name__)

S = CampaignStatus
# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT, S.REJECTED}), S.PENDING_REVIEW),
    "approve": (frozenset({S.PENDING_REVIEW}), S.ACTIVE),
    "reject": (frozenset({S.PENDING_REVIEW}), S.REJECTED),
    "close": (frozenset({S.ACTIVE}), S.CLOSED),
    "suspend": (frozenset({S.ACTIVE}), S.SUSPENDED),
    "unsuspend": (frozenset({S.SUSPENDED}), S.ACTIVE),
    "end": (frozenset({S.ACTIVE}), S.ENDED),
}

MIN_STORY_LENGTH = 100
MAX_STORY_LENGTH = 20_000
MAX_GOAL_AMOUNT = 10**13  # minor units: 100 billion naira; well inside a BIGINT
MAX_REASON_LENGTH = 2000
MAX_COMMENT_LENGTH = 2000
_SLUG_ATTEMPTS = 5


# --- helpers ----------------------------------------------------------------------------


def _invalid(field: str, message: str, code: str | None = None) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code, fields={field: [message]})


def _lock(campaign: Campaign | Any) -> Campaign:
    """The campaign row, locked for the rest of the transaction."""
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    try:
        locked: Campaign = lock_campaign(pk)
        return locked
    except Campaign.DoesNotExist as exc:
        raise NotFound("No such campaign.") from exc


def _check_transition(campaign: Campaign, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if campaign.status not in allowed:
        raise Conflict(
            f"Cannot {action} a campaign that is {campaign.status}.",
            code="invalid_transition",
            extra={"status": campaign.status},
        )
    return target


def _require_organizer(campaign: Campaign, actor: User | None) -> None:
    # Another user learns nothing about the campaign: the same answer as a missing one.
    if actor is None or campaign.organizer_id != getattr(actor, "pk", None):
        raise NotFound("No such campaign.")


def _today() -> datetime.date:
    return timezone.localdate()


def _currency(code: Any, *, current: str | None = None) -> Currency:
    if isinstance(code, Currency):
        code = code.code
    code = str(code or "").strip().upper()
    currency = Currency.objects.filter(pk=code).first()
    if currency is None:
        raise _invalid("currency", f"Unknown currency {code!r}.", code="unknown_currency")
    if not currency.enabled and code != current:
        raise _invalid(
            "currency", f"{code} is not accepted for new campaigns.", code="currency_disabled"
        )
    return currency


def _category(slug: Any) -> Category:
    if isinstance(slug, Category):
        return slug
    category = Category.objects.filter(pk=str(slug or "").strip().lower()).first()
    if category is None:
        raise category_unknown(slug)
    return category


def _goal(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("goal_amount", "Give a whole number of minor units (kobo, cents).")
    if value <= 0:
        raise _invalid("goal_amount", "The goal must be more than zero.")
    if value > MAX_GOAL_AMOUNT:
        raise _invalid("goal_amount", f"The goal can be at most {MAX_GOAL_AMOUNT}.")
    return value


def _title(value: Any) -> str:
    title = " ".join(str(value or "").split())
    if not title:
        raise _invalid("title", "The title may not be blank.")
    if len(title) > 150:
        raise _invalid("title", "The title can be at most 150 characters.")
    return title


def _story(value: Any) -> str:
    story = str(value or "").strip()
    if len(story) > MAX_STORY_LENGTH:
        raise _invalid("story", f"The story can be at most {MAX_STORY_LENGTH} characters.")
    return story


def _end_date(value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    if value <= _today():
        raise _invalid("end_date", "The end date must be in the future.")
    return value


def _reason(value: Any, *, max_length: int = MAX_REASON_LENGTH) -> str:
    reason = str(value or "").strip()
    if not reason:
        raise _invalid("reason", "Give a reason.")
    if len(reason) > max_length:
        raise _invalid("reason", f"The reason can be at most {max_length} characters.")
    return reason


def _require_staff_permission(actor: User | None, permission: str) -> None:
    """Defence in depth: the API and the console check this too before calling."""
    if not (
        actor is not None
        and getattr(actor, "is_staff", False)
        and getattr(actor, "is_active", False)
        and actor.has_perm(permission)
    ):
        raise Forbidden(f"This needs the {permission} permission.")


def _refuse_own_campaign(campaign: Campaign, actor: User | None, action: str) -> None:
    """Maker-checker for reviews: nobody approves or rejects a campaign they organise."""
    if actor is not None and campaign.organizer_id == getattr(actor, "pk", None):
        raise Forbidden(
            f"You organise this campaign; another staff member must {action} it.",
            code="own_campaign",
        )


def _audit(actor: User | None, action: str, campaign: Campaign, before: str, **after: Any) -> None:
    """The staff action's audit row, in the transaction that makes the change."""
    audit_log(
        actor=actor,
        action=f"campaign.{action}",
        target_type="campaign",
        target_id=str(campaign.pk),
        before={"status": before},
        after={"status": campaign.status, **after},
    )


def _assign_slug(campaign: Campaign) -> None:
    """Give the campaign the first free slug for its title and record it in the history.

    Two campaigns created at once may pick the same slug; the unique index refuses the
    second, which then picks again (inside a savepoint, so the transaction survives).
    """
    for attempt in range(_SLUG_ATTEMPTS):
        slug = slug_choose(title=campaign.title, campaign_id=campaign.pk)
        try:
            with transaction.atomic():
                campaign.slug = slug
                campaign.save()
                CampaignSlug.objects.get_or_create(slug=slug, campaign=campaign)
            return
        except IntegrityError:
            if attempt == _SLUG_ATTEMPTS - 1:
                raise
            logger.info("campaign slug taken concurrently, picking another", extra={"slug": slug})


def _campaign_url(campaign: Campaign) -> str:
    return f"{settings.FRONT_END_URL.rstrip('/')}/campaigns/{campaign.slug}"


def _notify_organizer(campaign: Campaign, template: str, context: dict[str, Any]) -> None:
    """Email the organiser, and text them too when their phone number is verified."""
    from apps.notifications.services import notification_send

    organizer = campaign.organizer
    context = {
        "first_name": organizer.first_name,
        "title": campaign.title,
        "campaign_url": _campaign_url(campaign),
        **context,
    }
    notification_send(
        channel="email",
        template=template,
        recipient=organizer.email,
        context=context,
        user=organizer,
    )
    if organizer.phone and organizer.phone_verified:
        notification_send(
            channel="sms",
            template=template,
            recipient=organizer.phone,
            context=context,
            user=organizer,
        )


def campaign_reviewer_emails() -> list[str]:
    """STAFF_NOTIFICATION_EMAILS and every active staff user who may review campaigns."""
    emails: dict[str, str] = {}
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        address = address.strip()
        if address:
            emails.setdefault(address.lower(), address)
    permission = Permission.objects.filter(
        content_type__app_label="campaigns", codename="review_campaign"
    ).first()
    reviewers = User.objects.filter(is_active=True, is_staff=True, is_suspended=False)
    has_permission = Q(is_superuser=True)
    if permission is not None:
        has_permission |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    for address in reviewers.filter(has_permission).values_list("email", flat=True).distinct():
        emails.setdefault(address.lower(), address)
    return sorted(emails.values(), key=str.lower)


def _notify_reviewers(campaign: Campaign) -> None:
    from apps.notifications.services import notification_send

    context = {
        "title": campaign.title,
        "organizer_name": user_public_name(campaign.organizer),
        "campaign_id": str(campaign.pk),
        "review_url": (
            f"{settings.PUBLIC_BASE_URL.rstrip('/')}/admin/campaigns/campaign/{campaign.pk}/change/"
        ),
    }
    for address in campaign_reviewer_emails():
        notification_send(
            channel="email", template="campaign_submitted", recipient=address, context=context
        )


# --- create and edit --------------------------------------------------------------------


def campaign_create(
    *,
    organizer: User,
    title: str,
    story: str,
    goal_amount: int,
    currency: str | Currency,
    category: str | Category,
    end_date: datetime.date | None = None,
) -> Campaign:
    """A new draft with a slug made from its title."""
    campaign = Campaign(
        organizer=organizer,
        title=_title(title),
        story=_story(story),
        goal_amount=_goal(goal_amount),
        currency=_currency(currency),
        category=_category(category),
        end_date=_end_date(end_date),
        status=CampaignStatus.DRAFT,
    )
    with transaction.atomic():
        _assign_slug(campaign)
    logger.info("campaign created", extra={"campaign_id": str(campaign.pk)})
    return campaign


def _current(campaign: Campaign, field: str) -> Any:
    if field in {"currency", "category"}:  # compare keys, without loading the rows
        return getattr(campaign, f"{field}_id")
    return getattr(campaign, field)


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "title": _title,
    "story": _story,
    "goal_amount": _goal,
    "category": lambda value: _category(value).pk,
}


def campaign_update(*, campaign: Campaign, actor: User | None, **changes: Any) -> Campaign:
    """Change the fields the current status allows (apps.campaigns.rules).

    A field sent with its current value is not a change and is always accepted, so a
    client may send the whole campaign back. A changed field the status does not allow
    is refused with 409 naming the field. The currency never changes once money came in.
    While the campaign has never been published a new title gives a new slug; the old
    one keeps resolving.
    """
    unknown = set(changes) - (rules.ALL_FIELDS - {"media"})
    if unknown:
        field = sorted(unknown)[0]
        raise _invalid(field, "This field cannot be changed here.")
    with transaction.atomic():
        campaign = _lock(campaign)
        _require_organizer(campaign, actor)
        values: dict[str, Any] = {}
        for field, value in changes.items():
            if field == "currency":
                values[field] = _currency(value, current=campaign.currency_id).pk
            elif field == "end_date":
                # An unchanged date is no edit, even if it has passed.
                values[field] = value if value == campaign.end_date else _end_date(value)
            else:
                values[field] = _CLEANERS[field](value)
        changed = {
            field: value for field, value in values.items() if _current(campaign, field) != value
        }
        refused = sorted(f for f in changed if not rules.can_edit(campaign.status, f))
        if refused:
            message = f"Cannot be changed while the campaign is {campaign.status}."
            raise Conflict(
                f"{', '.join(refused)}: {message}",
                code="field_not_editable",
                fields={field: [message] for field in refused},
                extra={"status": campaign.status},
            )
        if "currency" in changed and (campaign.raised_amount > 0 or campaign.donor_count > 0):
            message = "The currency cannot change once the campaign has received donations."
            raise Conflict(
                f"currency: {message}", code="currency_locked", fields={"currency": [message]}
            )
        if not changed:
            return campaign
        for field, value in changed.items():
            setattr(campaign, f"{field}_id" if field in {"currency", "category"} else field, value)
        if (
            "title" in changed
            and campaign.published_at is None
            and not slug_fits_title(campaign.slug, campaign.title)
        ):
            _assign_slug(campaign)
        else:
            campaign.save(update_fields=[*changed, "updated_at"])
        campaign_cache_invalidate(campaign.pk)
    return campaign


# --- lifecycle --------------------------------------------------------------------------


def campaign_submit_problems(campaign: Campaign) -> dict[str, list[str]]:
    """What keeps a campaign from being sent for review, by field."""
    problems: dict[str, list[str]] = {}
    if not (campaign.title or "").strip():
        problems["title"] = ["Give the campaign a title."]
    if len((campaign.story or "").strip()) < MIN_STORY_LENGTH:
        problems["story"] = [f"Tell the story in at least {MIN_STORY_LENGTH} characters."]
    if not campaign.goal_amount or campaign.goal_amount <= 0:
        problems["goal_amount"] = ["Set a goal above zero."]
    if not Currency.objects.filter(pk=campaign.currency_id, enabled=True).exists():
        problems["currency"] = [f"{campaign.currency_id} is not accepted; pick another currency."]
    if campaign.end_date is not None and campaign.end_date <= _today():
        problems["end_date"] = ["The end date has passed; pick a later one."]
    has_image = CampaignMedia.objects.filter(
        campaign=campaign, kind=MediaKind.IMAGE, status=MediaStatus.READY
    ).exists()
    if not has_image:
        problems["media"] = ["Upload at least one image."]
    return problems


def campaign_submit(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Send a draft (or a rejected campaign, edited) for review; reviewers get an email."""
    with transaction.atomic():
        campaign = _lock(campaign)
        _require_organizer(campaign, actor)
        target = _check_transition(campaign, "submit")
        problems = campaign_submit_problems(campaign)
        if problems:
            raise InvalidInput(
                "The campaign is not ready for review: "
                + "; ".join(f"{field}: {messages[0]}" for field, messages in problems.items()),
                code="campaign_incomplete",
                fields=problems,
            )
        campaign.status = target
        campaign.submitted_at = timezone.now()
        campaign.save(update_fields=["status", "submitted_at", "updated_at"])
        _notify_reviewers(campaign)
        campaign_cache_invalidate(campaign.pk)
    logger.info("campaign submitted", extra={"campaign_id": str(campaign.pk)})
    return campaign


def campaign_approve(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Publish a campaign waiting for review; its slug is fixed from now on.

    Staff never approve a campaign they organise (403 `own_campaign`)."""
    _require_staff_permission(actor, "campaigns.review_campaign")
    with transaction.atomic():
        campaign = _lock(campaign)
        _refuse_own_campaign(campaign, actor, "approve")
        before = campaign.status
        target = _check_transition(campaign, "approve")
        if campaign.end_date is not None and campaign.end_date <= _today():
            raise Conflict(
                "The campaign's end date has passed; reject it so the organiser can change it.",
                code="end_date_passed",
                extra={"status": campaign.status},
            )
        campaign.status = target
        if campaign.published_at is None:
            campaign.published_at = timezone.now()
        campaign.rejection_reason = ""
        campaign.save(update_fields=["status", "published_at", "rejection_reason", "updated_at"])
        _audit(actor, "approve", campaign, before)
        _notify_organizer(campaign, "campaign_approved", {})
        campaign_cache_invalidate(campaign.pk)
    logger.info(
        "campaign approved",
        extra={"campaign_id": str(campaign.pk), "actor_id": str(getattr(actor, "pk", ""))},
    )
    return campaign


def campaign_reject(*, campaign: Campaign, actor: User | None, reason: str) -> Campaign:
    """Send a campaign back to its organiser with the reason; they may edit and resubmit.

    Staff never reject a campaign they organise either (403 `own_campaign`)."""
    _require_staff_permission(actor, "campaigns.review_campaign")
    reason = _reason(reason)
    with transaction.atomic():
        campaign = _lock(campaign)
        _refuse_own_campaign(campaign, actor, "review")
        before = campaign.status
        target = _check_transition(campaign, "reject")
        campaign.status = target
        campaign.rejection_reason = reason
        campaign.save(update_fields=["status", "rejection_reason", "updated_at"])
        _audit(actor, "reject", campaign, before, reason=reason)
        _notify_organizer(campaign, "campaign_rejected", {"reason": reason})
        campaign_cache_invalidate(campaign.pk)
    logger.info(
        "campaign rejected",
        extra={"campaign_id": str(campaign.pk), "actor_id": str(getattr(actor, "pk", ""))},
    )
    return campaign


def campaign_close(*, campaign: Campaign, actor: User | None) -> Campaign:
    """The organiser stops an active campaign for good."""
    with transaction.atomic():
        campaign = _lock(campaign)
        _require_organizer(campaign, actor)
        campaign.status = _check_transition(campaign, "close")
        campaign.ended_at = timezone.now()
        campaign.save(update_fields=["status", "ended_at", "updated_at"])
        campaign_cache_invalidate(campaign.pk)
    logger.info("campaign closed", extra={"campaign_id": str(campaign.pk)})
    return campaign


def campaign_suspend(*, campaign: Campaign, actor: User | None, reason: str) -> Campaign:
    """Staff take an active campaign out of public view (reversible)."""
    _require_staff_permission(actor, "campaigns.change_campaign")
    reason = _reason(reason)
    with transaction.atomic():
        campaign = _lock(campaign)
        before = campaign.status
        campaign.status = _check_transition(campaign, "suspend")
        campaign.suspension_reason = reason
        campaign.save(update_fields=["status", "suspension_reason", "updated_at"])
        _audit(actor, "suspend", campaign, before, reason=reason)
        campaign_cache_invalidate(campaign.pk)
    logger.info(
        "campaign suspended",
        extra={"campaign_id": str(campaign.pk), "actor_id": str(getattr(actor, "pk", ""))},
    )
    return campaign


def campaign_unsuspend(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Lift a suspension: the campaign is active again."""
    _require_staff_permission(actor, "campaigns.change_campaign")
    with transaction.atomic():
        campaign = _lock(campaign)
        before = campaign.status
        campaign.status = _check_transition(campaign, "unsuspend")
        campaign.suspension_reason = ""
        campaign.save(update_fields=["status", "suspension_reason", "updated_at"])
        _audit(actor, "unsuspend", campaign, before)
        campaign_cache_invalidate(campaign.pk)
    logger.info(
        "campaign unsuspended",
        extra={"campaign_id": str(campaign.pk), "actor_id": str(getattr(actor, "pk", ""))},
    )
    return campaign


def campaign_end(*, campaign: Campaign) -> Campaign:
    """End an active campaign whose end date has passed (the scheduler's job)."""
    with transaction.atomic():
        campaign = _lock(campaign)
        target = _check_transition(campaign, "end")
        if campaign.end_date is None or campaign.end_date >= _today():
            raise Conflict(
                "The campaign's end date has not passed.",
                code="end_date_not_passed",
                extra={"status": campaign.status},
            )
        campaign.status = target
        campaign.ended_at = timezone.now()
        campaign.save(update_fields=["status", "ended_at", "updated_at"])
        campaign_cache_invalidate(campaign.pk)
        # Sent once the end commits; a second run finds the campaign ended and skips it.
        _notify_organizer(
            campaign,
            "campaign_ended",
            {
                "raised_display": format_money(campaign.raised_amount, campaign.currency_id),
                "goal_display": format_money(campaign.goal_amount, campaign.currency_id),
                "donor_count": campaign.donor_count,
            },
        )
    logger.info("campaign ended", extra={"campaign_id": str(campaign.pk)})
    return campaign


def campaigns_end_expired() -> int:
    """End every active campaign whose end date is before today; safe to run twice."""
    ids = list(
        Campaign.objects.filter(status=CampaignStatus.ACTIVE, end_date__lt=_today())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ended = 0
    for campaign_id in ids:
        try:
            campaign_end(campaign=Campaign(pk=campaign_id))
        except (Conflict, NotFound):  # changed since we looked: closed, suspended, ...
            continue
        ended += 1
    return ended


# --- slug repair ------------------------------------------------------------------------


@dataclass
class SlugRepairReport:
    checked: int = 0
    regenerated: int = 0
    history_added: int = 0
    history_moved: int = 0

    @property
    def changed(self) -> int:
        return self.regenerated + self.history_added + self.history_moved


def campaign_slugs_repair() -> SlugRepairReport:
    """Give every campaign a valid, unique slug recorded in the slug history.

    Safe to run any number of times: a second run finds nothing to do. A blank or
    malformed slug is replaced by one made from the title. A history row for a
    campaign's current slug that points at another campaign is moved to the campaign
    using it: the public page at that address already shows that campaign.
    """
    report = SlugRepairReport()
    touched_slugs: list[str] = []
    for campaign_id in Campaign.objects.order_by("created_at", "pk").values_list("pk", flat=True):
        report.checked += 1
        with transaction.atomic():
            campaign = _lock(campaign_id)
            changed = False
            if not slug_is_valid(campaign.slug):
                touched_slugs.append(campaign.slug)
                _assign_slug(campaign)
                report.regenerated += 1
                changed = True
            else:
                row = lock_campaign_slug(campaign.slug)
                if row is None:
                    CampaignSlug.objects.create(slug=campaign.slug, campaign=campaign)
                    report.history_added += 1
                    changed = True
                elif row.campaign_id != campaign.pk:
                    previous_owner = row.campaign_id
                    row.campaign = campaign
                    row.save(update_fields=["campaign"])
                    campaign_cache_invalidate(previous_owner)
                    report.history_moved += 1
                    changed = True
            if changed:
                touched_slugs.append(campaign.slug)
                campaign_cache_invalidate(campaign.pk)
    if touched_slugs:
        slugs_forget([slug for slug in touched_slugs if slug])
    return report


# --- comments ---------------------------------------------------------------------------


def comment_create(*, campaign: Campaign, author: User, body: str) -> Comment:
    """A plain-text comment on an active or ended campaign."""
    body = str(body or "").strip()
    if not body:
        raise _invalid("body", "The comment may not be blank.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise _invalid("body", f"The comment can be at most {MAX_COMMENT_LENGTH} characters.")
    campaign = Campaign.objects.only("pk", "status").get(pk=campaign.pk)
    if campaign.status not in COMMENTABLE_STATUSES:
        raise Conflict(
            f"Comments are open on active and ended campaigns; this one is {campaign.status}.",
            code="comments_closed",
            extra={"status": campaign.status},
        )
    return Comment.objects.create(campaign=campaign, author=author, body=body)


def comment_delete(*, comment: Comment, actor: User | None) -> None:
    """Authors delete their own comments; anyone else is told there is no such comment."""
    if actor is None or comment.author_id != getattr(actor, "pk", None):
        raise NotFound("No such comment.")
    comment.delete()


def comment_hide(*, comment: Comment, actor: User | None, reason: str) -> Comment:
    """Staff hide a comment from the public list; hiding a hidden one changes nothing."""
    _require_staff_permission(actor, "campaigns.change_comment")
    reason = _reason(reason, max_length=300)
    with transaction.atomic():
        comment = lock_comment(comment.pk)
        if comment.is_hidden:
            return comment
        comment.is_hidden = True
        comment.hidden_by = actor
        comment.hidden_at = timezone.now()
        comment.hidden_reason = reason
        comment.save(
            update_fields=["is_hidden", "hidden_by", "hidden_at", "hidden_reason", "updated_at"]
        )
        audit_log(
            actor=actor,
            action="comment.hide",
            target_type="comment",
            target_id=str(comment.pk),
            before={"is_hidden": False},
            after={"is_hidden": True, "reason": reason, "campaign_id": str(comment.campaign_id)},
        )
    logger.info(
        "comment hidden",
        extra={"comment_id": str(comment.pk), "actor_id": str(getattr(actor, "pk", ""))},
    )
    return comment
