"""Staff endpoints under /v1/admin/ for donations: list (JSON, or CSV streamed with
`?format=csv`), detail, refund."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.query import KnownQueryParameters
from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from . import serializers as s
from .exports import donation_csv_response
from .selectors import donation_get, donation_list_admin, donation_timeline
from .services import donation_refund


class AdminDonationListView(KnownQueryParameters, ListAPIView):
    """Every donation, newest first; filters: status, campaign (id or slug), email,
    reference, needs_review. `?format=csv`: every matching donation (not a page) as a
    streamed CSV file, amounts in minor units with their currency."""

    query_parameters = ("status", "campaign", "email", "reference", "needs_review", "format")

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["donations.view_donation"]
    serializer_class = s.AdminDonationOutput

    def _wants_csv(self, request) -> bool:
        return request.query_params.get("format") == "csv"

    def perform_content_negotiation(self, request, force=False):
        # `format=csv` is answered by get() with a streamed file, not a DRF renderer;
        # refusals (401/403/400) on that path are JSON like everywhere else.
        if self._wants_csv(request):
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(parameters=[s.AdminDonationFilter])
    def get(self, request, *args, **kwargs):
        if self._wants_csv(request):
            return donation_csv_response(self.get_queryset())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = s.AdminDonationFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return donation_list_admin(
            status=data.get("status", ""),
            campaign=data.get("campaign", ""),
            email=data.get("email", ""),
            reference=data.get("reference", ""),
            needs_review=data.get("needs_review"),
        )


class AdminDonationDetailView(APIView):
    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["donations.view_donation"]

    @extend_schema(responses={200: s.AdminDonationDetailOutput})
    def get(self, request, donation_id: uuid.UUID):
        """One donation with its fees, refunds and timeline."""
        donation = donation_get(donation_id)
        context = {"timeline": donation_timeline(donation)}
        return Response(s.AdminDonationDetailOutput(donation, context=context).data)


class AdminDonationRefundView(APIView):
    """Refund a succeeded donation in full (no `amount`) or in part. 202: Paystack has
    accepted it; the refund.processed event settles it in the ledger."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["donations.refund_donation"]
    error_statuses = (409, 502)  # OpenAPI: not refundable now; Paystack failed

    @extend_schema(request=s.RefundInput, responses={202: s.RefundOutput})
    def post(self, request, donation_id: uuid.UUID):
        donation = donation_get(donation_id)
        data = s.RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = donation_refund(
            donation=donation,
            actor=request.user,
            amount=data.validated_data.get("amount"),
            reason=data.validated_data["reason"],
            request=request._request,
        )
        return Response(s.RefundOutput(refund).data, status=status.HTTP_202_ACCEPTED)
