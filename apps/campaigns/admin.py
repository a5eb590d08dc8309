"""Staff console for campaigns, categories and comments.

Campaigns are read-only here: organisers edit them through the API, and staff move them
through their lifecycle with the review buttons on a campaign's page (approve, reject,
suspend, reinstate: each a small form page) or the bulk actions of the list, which call
the same services as the JSON admin API (they check the permission, refuse a reviewer's
own campaign and write the audit log). Reject and suspend ask for one reason, on an
intermediate page unless it was typed in the box beside the action menu.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join, linebreaks

from apps.core.errors import ApplicationError
from apps.currency.admin_display import money_column

from .models import (
    Campaign,
    CampaignMedia,
    CampaignSlug,
    Category,
    Comment,
    MediaKind,
    MediaStatus,
)
from .services import (
    TRANSITIONS,
    campaign_approve,
    campaign_reject,
    campaign_suspend,
    campaign_unsuspend,
    comment_hide,
)


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason",
        help_text="Needed to reject, suspend or hide.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class CampaignActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason",
        help_text="For reject and suspend; left empty, the next page asks for it.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


def _reason(modeladmin, request) -> str | None:
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        modeladmin.message_user(
            request, "Type the reason in the Reason box next to the action.", messages.ERROR
        )
        return None
    return reason


def _apply(modeladmin, request, queryset, verb: str, call) -> None:
    """Run a service on each selected row; report what worked and what was refused."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{verb} {done} item(s).", messages.SUCCESS)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MediaInline(_ReadOnlyInline):
    model = CampaignMedia
    fields = ("kind", "status", "file", "position", "is_cover", "content_type", "size")
    readonly_fields = fields


class SlugInline(_ReadOnlyInline):
    model = CampaignSlug
    fields = ("slug", "created_at")
    readonly_fields = fields
    verbose_name_plural = "slug history (every slug still resolves)"


@dataclass(frozen=True)
class ReviewAction:
    """One lifecycle step staff take from a campaign's page or the list."""

    name: str  # the URL part and the list action
    transition: str  # the services' TRANSITIONS key
    permission: str  # "review" or "change" (has_<permission>_permission)
    title: str
    button: str
    done: str
    needs_reason: bool


REVIEW_ACTIONS = {
    a.name: a
    for a in (
        ReviewAction(
            "approve", "approve", "review", "Approve campaign", "Approve", "Approved", False
        ),
        ReviewAction("reject", "reject", "review", "Reject campaign", "Reject", "Rejected", True),
        ReviewAction(
            "suspend", "suspend", "change", "Suspend campaign", "Suspend", "Suspended", True
        ),
        ReviewAction(
            "reinstate",
            "unsuspend",
            "change",
            "Reinstate campaign",
            "Reinstate",
            "Reinstated",
            False,
        ),
    )
}


def _run_review(action: ReviewAction, campaign: Campaign, actor: Any, reason: str) -> Campaign:
    if action.name == "approve":
        return campaign_approve(campaign=campaign, actor=actor)
    if action.name == "reject":
        return campaign_reject(campaign=campaign, actor=actor, reason=reason)
    if action.name == "suspend":
        return campaign_suspend(campaign=campaign, actor=actor, reason=reason)
    return campaign_unsuspend(campaign=campaign, actor=actor)


def _changelist_url(app_model: str, campaign: Campaign) -> str | None:
    try:
        url = reverse(f"admin:{app_model}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?campaign__id__exact={campaign.pk}"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    action_form = CampaignActionForm
    actions = ("approve", "reject", "suspend", "unsuspend")
    list_display = (
        "title",
        "status",
        "organizer",
        "category",
        "currency",
        "goal",
        "raised",
        "donor_count",
        "submitted_at",
        "published_at",
    )
    list_filter = ("status", "category", "currency")
    search_fields = ("title", "slug", "organizer__email", "organizer__last_name")
    list_select_related = ("organizer", "category", "currency")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    inlines = (MediaInline, SlugInline)
    fields = (
        "id",
        "title",
        "slug",
        "status",
        "organizer",
        "category",
        "currency",
        "goal",
        "raised",
        "donor_count",
        "end_date",
        "story_text",
        "media_preview",
        "rejection_reason",
        "suspension_reason",
        "created_at",
        "submitted_at",
        "published_at",
        "ended_at",
        "updated_at",
    )
    readonly_fields = fields

    goal = money_column("goal_amount", label="Goal")
    raised = money_column("raised_amount", label="Raised")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("campaigns.review_campaign")

    # --- the campaign's page ------------------------------------------------------------

    @admin.display(description="Story")
    def story_text(self, obj: Campaign) -> str:
        return format_html('<div class="campaign-story">{}</div>', linebreaks(obj.story or ""))

    @admin.display(description="Media")
    def media_preview(self, obj: Campaign) -> str:
        """Thumbnails of the ready images; videos and unfinished uploads as links."""
        items = []
        for media in obj.media.all():
            try:
                url = media.file.url
            except ValueError:  # no file stored
                continue
            if media.kind == MediaKind.IMAGE and media.status == MediaStatus.READY:
                items.append(
                    format_html(
                        '<a href="{0}" target="_blank" rel="noopener">'
                        '<img src="{0}" alt="{1}" class="campaign-media-thumb" '
                        'style="max-width:160px;max-height:120px;margin:0 8px 8px 0;'
                        'border:{2}"></a>',
                        url,
                        f"image {media.position}",
                        "3px solid #417690" if media.is_cover else "1px solid #ccc",
                    )
                )
            else:
                label = "video" if media.kind == MediaKind.VIDEO else media.kind
                if media.status != MediaStatus.READY:
                    label = f"{label} ({media.status})"
                items.append(
                    format_html(
                        '<a href="{}" target="_blank" rel="noopener" class="campaign-media-link">'
                        "{}</a> ",
                        url,
                        label,
                    )
                )
        if not items:
            return "No media."
        return format_html_join("", "{}", ((item,) for item in items))

    def review_actions_for(self, request, campaign: Campaign) -> list[tuple[ReviewAction, str]]:
        """The review steps this staff member may take on the campaign in its status."""
        found = []
        for action in REVIEW_ACTIONS.values():
            allowed_from, _ = TRANSITIONS[action.transition]
            if campaign.status not in allowed_from:
                continue
            if not getattr(self, f"has_{action.permission}_permission")(request):
                continue
            url = reverse("admin:campaigns_campaign_review", args=[campaign.pk, action.name])
            found.append((action, url))
        return found

    def related_links(self, request, campaign: Campaign) -> list[tuple[str, str]]:
        links = []
        for label, model, perm in (
            ("Donations", "donations_donation", "donations.view_donation"),
            ("Withdrawals", "withdrawals_withdrawal", "withdrawals.view_withdrawal"),
        ):
            url = _changelist_url(model, campaign)
            if url and request.user.has_perm(perm):
                links.append((label, url))
        return links

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        campaign = self.get_object(request, unquote(object_id))
        if campaign is not None:
            extra_context["review_actions"] = self.review_actions_for(request, campaign)
            extra_context["related_links"] = self.related_links(request, campaign)
        # Every field is read-only: the page has no Save buttons, only the review steps.
        extra_context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/review/<str:action>/",
                self.admin_site.admin_view(self.review_view),
                name="campaigns_campaign_review",
            )
        ]
        return urls + super().get_urls()

    def review_view(self, request, object_id: str, action: str):
        """A small form page: approve, reject (reason), suspend (reason), reinstate."""
        step = REVIEW_ACTIONS.get(action)
        if step is None:
            raise Http404("No such review step.")
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404("No such campaign.")
        if not self.has_view_permission(request, campaign) or not getattr(
            self, f"has_{step.permission}_permission"
        )(request):
            raise PermissionDenied
        change_url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
        error = ""
        reason = ""
        if request.method == "POST":
            reason = (request.POST.get("reason") or "").strip()
            if step.needs_reason and not reason:
                error = "A reason is needed."
            else:
                try:
                    _run_review(step, campaign, request.user, reason)
                except ApplicationError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(request, f"{step.done}: {campaign.title}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": step.title,
            "step": step,
            "campaigns": [campaign],
            "reason": reason,
            "error": error,
            "cancel_url": change_url,
            "form_url": request.get_full_path(),
            "bulk": False,
        }
        return TemplateResponse(request, "admin/campaigns/campaign/review_step.html", context)

    def _bulk_with_reason(self, request, queryset, name: str):
        """Ask for one reason on an intermediate page unless it came with the action."""
        step = REVIEW_ACTIONS[name]
        reason = (request.POST.get("reason") or "").strip()
        if reason:
            _apply(
                self,
                request,
                queryset,
                step.done,
                lambda c: _run_review(step, c, request.user, reason),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{step.title}s" if queryset.count() > 1 else step.title,
            "step": step,
            "campaigns": list(queryset),
            "reason": "",
            "error": "A reason is needed." if "confirm" in request.POST else "",
            "form_url": request.get_full_path(),
            "cancel_url": request.get_full_path(),
            "bulk": True,
            "action_name": name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/campaigns/campaign/review_step.html", context)

    @admin.action(description="Approve selected campaigns (publish)", permissions=["review"])
    def approve(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            "Approved",
            lambda c: campaign_approve(campaign=c, actor=request.user),
        )

    @admin.action(description="Reject selected campaigns (give a reason)", permissions=["review"])
    def reject(self, request, queryset):
        return self._bulk_with_reason(request, queryset, "reject")

    @admin.action(description="Suspend selected campaigns (give a reason)", permissions=["change"])
    def suspend(self, request, queryset):
        return self._bulk_with_reason(request, queryset, "suspend")

    @admin.action(description="Reinstate selected (suspended) campaigns", permissions=["change"])
    def unsuspend(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            "Reinstated",
            lambda c: campaign_unsuspend(campaign=c, actor=request.user),
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    ordering = ("position", "slug")

    def get_readonly_fields(self, request, obj=None):
        # The slug is the key campaigns and links use; it is set once.
        return ("slug",) if obj else ()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ("hide",)
    list_display = ("short_body", "campaign", "author", "is_hidden", "created_at")
    list_filter = ("is_hidden",)
    search_fields = ("body", "author__email", "campaign__title")
    list_select_related = ("campaign", "author")
    ordering = ("-created_at",)
    fields = (
        "campaign",
        "author",
        "body",
        "created_at",
        "is_hidden",
        "hidden_by",
        "hidden_at",
        "hidden_reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="comment")
    def short_body(self, obj: Comment) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    @admin.action(description="Hide selected comments (give a reason)", permissions=["change"])
    def hide(self, request, queryset):
        reason = _reason(self, request)
        if reason:
            _apply(
                self,
                request,
                queryset,
                "Hidden",
                lambda c: comment_hide(comment=c, actor=request.user, reason=reason[:300]),
            )
