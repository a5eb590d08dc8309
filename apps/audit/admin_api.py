"""Staff endpoint under /v1/admin/: the audit log."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from apps.core.query import KnownQueryParameters
from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from . import serializers as s
from .selectors import admin_log_list


class AdminLogListView(KnownQueryParameters, ListAPIView):
    """Audit log entries, newest first, filtered by action, actor, target and time."""

    query_parameters = ("action", "actor", "target_type", "target_id", "date_from", "date_to")

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["audit.view_adminlog"]
    serializer_class = s.AdminLogSerializer

    @extend_schema(parameters=[s.AdminLogFilter])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = s.AdminLogFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return admin_log_list(
            action=data.get("action", ""),
            actor_email=data.get("actor", ""),
            target_type=data.get("target_type", ""),
            target_id=data.get("target_id", ""),
            created_from=data["created_from"],
            created_before=data["created_before"],
        )
