"""/v1/admin/payouts: staff review withdrawals, approve with a fresh TOTP, reject,
finalize a transfer Paystack asked an OTP for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.pagination import PageNumberPagination, paginated
from apps.core.query import KnownQueryParameters
from apps.users.permissions import ADMIN_PERMISSION_CLASSES
from apps.withdrawals.selectors import withdrawal_timelines

from . import serializers as s
from .selectors import payout_get, payouts_list
from .services import (
    payout_finalize,
    payout_two_factor_initialize,
    payouts_approve,
    withdrawal_reject,
)

APPROVE = ["withdrawals.approve_withdrawal"]


class PayoutListView(KnownQueryParameters, APIView):
    """Withdrawals for staff, oldest waiting first; filter by `status`, `needs_review`."""

    query_parameters = ("status", "needs_review")

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["withdrawals.view_withdrawal"]

    @extend_schema(
        operation_id="admin_payouts_list",
        parameters=[s.PayoutListQuery],
        responses={200: paginated(s.AdminWithdrawalOutput)},
    )
    def get(self, request) -> Response:
        query = s.PayoutListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(payouts_list(**query.validated_data), request, view=self)
        return paginator.get_paginated_response(s.AdminWithdrawalOutput(page, many=True).data)


class PayoutDetailView(APIView):
    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["withdrawals.view_withdrawal"]

    @extend_schema(responses={200: s.AdminWithdrawalOutput})
    def get(self, request, withdrawal_id: str) -> Response:
        """One withdrawal for staff, with its timeline and transfers."""
        withdrawal = payout_get(withdrawal_id)
        context = {"timelines": withdrawal_timelines([withdrawal.pk])}
        return Response(s.AdminWithdrawalOutput(withdrawal, context=context).data)


class TwoFactorInitializeView(APIView):
    """Which second factor approving takes (your authenticator app's code)."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = APPROVE

    @extend_schema(request=None, responses={200: s.TwoFactorOutput})
    def post(self, request) -> Response:
        return Response(payout_two_factor_initialize(actor=request.user))


class ApproveView(APIView):
    """Approve withdrawals with the authenticator code of this moment; a result per id."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = APPROVE

    @extend_schema(request=s.ApproveInput, responses={200: s.ApproveOutput})
    def post(self, request) -> Response:
        data = s.ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        results = payouts_approve(
            actor=request.user,
            withdrawal_ids=[str(pk) for pk in data.validated_data["withdrawal_ids"]],
            otp=data.validated_data["otp"],
            request=request._request,
        )
        return Response({"results": results})


class RejectView(APIView):
    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = APPROVE

    @extend_schema(request=s.RejectInput, responses={200: s.AdminWithdrawalOutput})
    def post(self, request, withdrawal_id: str) -> Response:
        """Reject a withdrawal with a reason; its funds are available to the owner again."""
        data = s.RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal_reject(
            actor=request.user,
            withdrawal_id=withdrawal_id,
            reason=data.validated_data["reason"],
            request=request._request,
        )
        return self._detail(withdrawal_id)

    def _detail(self, withdrawal_id: str) -> Response:
        withdrawal = payout_get(withdrawal_id)
        context = {"timelines": withdrawal_timelines([withdrawal.pk])}
        return Response(s.AdminWithdrawalOutput(withdrawal, context=context).data)


class FinalizeView(RejectView):
    """Give Paystack the OTP it asked for a transfer."""

    @extend_schema(request=s.FinalizeInput, responses={200: s.AdminWithdrawalOutput})
    def post(self, request, withdrawal_id: str) -> Response:
        data = s.FinalizeInput(data=request.data)
        data.is_valid(raise_exception=True)
        payout_finalize(
            actor=request.user,
            withdrawal_id=withdrawal_id,
            otp=data.validated_data["otp"],
            request=request._request,
        )
        return self._detail(withdrawal_id)
