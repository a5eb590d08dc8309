from django.contrib import admin

from .models import JobRun

# What the change form's submit row shows nothing of on a read-only page.
NO_SUBMIT_BUTTONS = {
    "show_save": False,
    "show_save_and_continue": False,
    "show_save_and_add_another": False,
    "show_delete": False,
    "has_editable_inline_admin_formsets": False,
}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A console page for rows that only services write: no add, change or delete here.

    The change page is a view page for everyone, superusers included: no Save or Delete
    button, not even for an inline that would allow editing (Django refuses a POST to
    it already). A subclass's own actions (custom views, confirmation pages) are its own.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(NO_SUBMIT_BUTTONS)
        return super().render_change_form(request, context, add, change, form_url, obj)


class TimelineInline(admin.TabularInline):
    """A money object's timeline (`DonationEvent`, `WithdrawalEvent`), oldest first,
    read-only: history never changes. Whoever may view the parent (`parent_permission`)
    sees its timeline, without a permission of its own."""

    parent_permission = ""
    verbose_name = "timeline entry"
    verbose_name_plural = "Timeline"
    fields = ("created_at", "type", "source", "actor", "data")
    readonly_fields = fields
    ordering = ("id",)
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(self.parent_permission) and request.user.has_perm(self.parent_permission)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """Each scheduled job's last start, success and failure (apps/core/jobs.py)."""

    list_display = (
        "name",
        "last_success_at",
        "last_duration_ms",
        "last_failure_at",
        "successes",
        "failures",
    )
    search_fields = ("name",)
