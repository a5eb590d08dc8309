"""Organisers' endpoints: banks, bank accounts, withdrawal requests."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from apps.core.idempotency import HEADER, idempotent_response
from apps.core.pagination import PageNumberPagination, paginated
from apps.core.query import KnownQueryParameters

from . import serializers as s
from .selectors import (
    bank_accounts_of,
    banks_list,
    withdrawal_get_own,
    withdrawal_timelines,
    withdrawals_of,
)
from .services import (
    bank_account_create,
    bank_account_delete,
    bank_account_resolve,
    withdrawal_cancel,
    withdrawal_request,
)

REQUEST_SCOPE = "withdrawals.request"


class BankLookupThrottle(UserRateThrottle):
    """Each resolve or new account is a call to Paystack."""

    scope = "bank_lookup"
    rate = "20/min"


class BankListView(KnownQueryParameters, APIView):
    """Paystack's banks for a currency (default NGN), cached for a day."""

    query_parameters = ("currency",)
    paged = False

    permission_classes = [IsAuthenticated]
    error_statuses = (502,)  # OpenAPI: Paystack failed

    @extend_schema(
        parameters=[OpenApiParameter("currency", str)], responses={200: s.BankOutput(many=True)}
    )
    def get(self, request) -> Response:
        query = s.BanksQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(banks_list(currency=query.validated_data["currency"]))


class BankResolveView(APIView):
    """The name the bank holds for an account number."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BankLookupThrottle]
    error_statuses = (502,)  # OpenAPI: Paystack failed

    @extend_schema(parameters=[s.ResolveQuery], responses={200: s.ResolvedOutput})
    def get(self, request) -> Response:
        query = s.ResolveQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        name = bank_account_resolve(
            account_number=data["account_number"],
            bank_code=data["bank_code"],
            currency=data["currency"].upper(),
        )
        return Response(
            {
                "account_number": f"******{data['account_number'][-4:]}",
                "bank_code": data["bank_code"],
                "account_name": name,
            }
        )


class BankAccountListCreateView(KnownQueryParameters, APIView):
    paged = False
    permission_classes = [IsAuthenticated]

    def get_throttles(self) -> list[Any]:
        return [BankLookupThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses={200: s.BankAccountOutput(many=True)})
    def get(self, request) -> Response:
        """Your saved bank accounts."""
        return Response(s.BankAccountOutput(bank_accounts_of(request.user), many=True).data)

    @extend_schema(request=s.BankAccountInput, responses={201: s.BankAccountOutput})
    def post(self, request) -> Response:
        """Save a bank account; its name is resolved with the bank."""
        data = s.BankAccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = bank_account_create(owner=request.user, **data.validated_data)
        return Response(s.BankAccountOutput(account).data, status=status.HTTP_201_CREATED)


class BankAccountDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, account_id: str) -> Response:
        """Remove one of your saved bank accounts."""
        bank_account_delete(owner=request.user, account_id=account_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WithdrawalListCreateView(KnownQueryParameters, APIView):
    """Your withdrawal requests, newest first, each with its timeline; or a new one.

    `Idempotency-Key` (optional) on POST: the same key and body answers what the first
    request answered, without a second request; another body is 409.
    """

    permission_classes = [IsAuthenticated]
    error_statuses = (404,)  # OpenAPI: POST names a campaign or bank account not yours

    @extend_schema(operation_id="withdrawal_list", responses={200: paginated(s.WithdrawalOutput)})
    def get(self, request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(withdrawals_of(request.user), request, view=self)
        context = {"timelines": withdrawal_timelines(w.pk for w in page or [])}
        return paginator.get_paginated_response(
            s.WithdrawalOutput(page, many=True, context=context).data
        )

    @extend_schema(
        request=s.WithdrawalInput,
        responses={201: s.WithdrawalOutput},
        parameters=[OpenApiParameter(HEADER, str, location=OpenApiParameter.HEADER)],
    )
    def post(self, request) -> Response:
        return idempotent_response(
            request, scope=REQUEST_SCOPE, handler=lambda: self._create(request)
        )

    def _create(self, request) -> Response:
        data = s.WithdrawalInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = withdrawal_request(actor=request.user, **data.validated_data)
        withdrawal = withdrawal_get_own(owner=request.user, withdrawal_id=withdrawal.pk)
        context = {"timelines": withdrawal_timelines([withdrawal.pk])}
        return Response(
            s.WithdrawalOutput(withdrawal, context=context).data, status=status.HTTP_201_CREATED
        )


class WithdrawalDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.WithdrawalOutput})
    def get(self, request, withdrawal_id: str) -> Response:
        """One of your withdrawal requests, with its timeline."""
        withdrawal = withdrawal_get_own(owner=request.user, withdrawal_id=withdrawal_id)
        context = {"timelines": withdrawal_timelines([withdrawal.pk])}
        return Response(s.WithdrawalOutput(withdrawal, context=context).data)


class WithdrawalCancelView(APIView):
    """Take back a request staff have not acted on; the funds are available again."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.WithdrawalOutput})
    def post(self, request, withdrawal_id: str) -> Response:
        withdrawal = withdrawal_get_own(owner=request.user, withdrawal_id=withdrawal_id)
        withdrawal_cancel(actor=request.user, withdrawal=withdrawal)
        withdrawal = withdrawal_get_own(owner=request.user, withdrawal_id=withdrawal_id)
        context = {"timelines": withdrawal_timelines([withdrawal.pk])}
        return Response(s.WithdrawalOutput(withdrawal, context=context).data)
