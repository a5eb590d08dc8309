"""Staff endpoint under /v1/admin/: the scheduled jobs' status."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from .jobs import job_statuses


class AdminStatusView(APIView):
    """Each scheduled job's last successful run and its age, its last failure, and
    whether it is overdue (`null` until it has succeeded once). `/healthz` stays the
    load balancer's minimal check; this is for staff."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["core.view_jobrun"]

    @extend_schema(
        responses={
            200: inline_serializer(
                "JobsStatusOutput",
                {
                    "jobs": inline_serializer(
                        "JobStatusOutput",
                        {
                            "name": serializers.CharField(),
                            "task": serializers.CharField(),
                            "crontab": serializers.CharField(),
                            "enabled": serializers.BooleanField(),
                            "running": serializers.BooleanField(),
                            "last_success_at": serializers.DateTimeField(allow_null=True),
                            "last_success_age_seconds": serializers.IntegerField(allow_null=True),
                            "last_duration_ms": serializers.IntegerField(allow_null=True),
                            "last_result": serializers.JSONField(allow_null=True),
                            "last_failure_at": serializers.DateTimeField(allow_null=True),
                            "last_error": serializers.CharField(),
                            "overdue": serializers.BooleanField(allow_null=True),
                        },
                        many=True,
                    ),
                    "overdue": serializers.ListField(child=serializers.CharField()),
                    "never_succeeded": serializers.ListField(child=serializers.CharField()),
                },
            )
        }
    )
    def get(self, request):
        jobs = job_statuses()
        return Response(
            {
                "jobs": jobs,
                "overdue": sorted(job["name"] for job in jobs if job["overdue"]),
                "never_succeeded": sorted(
                    job["name"] for job in jobs if job["last_success_at"] is None
                ),
            }
        )
