from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A console page for rows that only services write: no add, change or delete here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
