"""The ledger in the staff console: to look at, never to edit. Postings come from services."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Account, Entry, LedgerTransaction


class LedgerAdmin(ReadOnlyAdmin):
    def get_actions(self, request):
        return {}


@admin.register(Account)
class AccountAdmin(LedgerAdmin):
    list_display = ("kind", "currency", "balance", "campaign", "updated_at")
    list_filter = ("kind", "currency")
    search_fields = ("campaign__title", "campaign__slug")
    list_select_related = ("campaign",)
    ordering = ("kind", "currency_id")


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("account", "amount", "currency", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(LedgerAdmin):
    list_display = ("reference", "kind", "campaign", "raised_delta", "created_at")
    list_filter = ("kind",)
    search_fields = ("=reference", "reference", "campaign__slug")
    list_select_related = ("campaign",)
    date_hierarchy = "created_at"
    inlines = (EntryInline,)
