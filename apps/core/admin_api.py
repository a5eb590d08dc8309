"""Staff endpoint under /v1/admin/: the scheduled jobs' status."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
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

    @extend_schema(responses={200: OpenApiResponse(description="{'jobs': [...]}")})
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
