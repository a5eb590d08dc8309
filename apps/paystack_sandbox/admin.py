from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import SandboxRecipient, SandboxRefund, SandboxTransaction, SandboxTransfer


class _ReadOnly(ReadOnlyAdmin):
    """Rows are written by the sandbox only."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(SandboxTransaction)
class SandboxTransactionAdmin(_ReadOnly):
    list_display = ("created_at", "reference", "email", "amount", "currency", "status")
    search_fields = ("reference", "email")


@admin.register(SandboxTransfer)
class SandboxTransferAdmin(_ReadOnly):
    list_display = ("created_at", "reference", "transfer_code", "amount", "currency", "status")
    search_fields = ("reference", "transfer_code")


admin.site.register(SandboxRecipient, _ReadOnly)
admin.site.register(SandboxRefund, _ReadOnly)
