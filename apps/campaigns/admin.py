"""Staff console for campaigns, categories and comments.

Campaigns are read-only here: organisers edit them through the API, and staff move them
through their lifecycle with the actions below, which call the same services as the
JSON admin API. Reject, suspend and hide take the reason typed in the box beside the
action menu.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from apps.core.errors import ApplicationError

from .models import Campaign, CampaignMedia, CampaignSlug, Category, Comment
from .services import (
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


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ("approve", "reject", "suspend", "unsuspend")
    list_display = (
        "title",
        "status",
        "organizer",
        "category",
        "currency",
        "goal_amount",
        "raised_amount",
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
        "goal_amount",
        "raised_amount",
        "donor_count",
        "end_date",
        "story",
        "rejection_reason",
        "suspension_reason",
        "created_at",
        "submitted_at",
        "published_at",
        "ended_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("campaigns.review_campaign")

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
        reason = _reason(self, request)
        if reason:
            _apply(
                self,
                request,
                queryset,
                "Rejected",
                lambda c: campaign_reject(campaign=c, actor=request.user, reason=reason),
            )

    @admin.action(description="Suspend selected campaigns (give a reason)", permissions=["change"])
    def suspend(self, request, queryset):
        reason = _reason(self, request)
        if reason:
            _apply(
                self,
                request,
                queryset,
                "Suspended",
                lambda c: campaign_suspend(campaign=c, actor=request.user, reason=reason),
            )

    @admin.action(description="Lift suspension of selected campaigns", permissions=["change"])
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
