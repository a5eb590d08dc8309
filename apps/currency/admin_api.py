"""Staff endpoints under /v1/admin/ for exchange rates."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.query import KnownQueryParameters
from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from . import serializers as s
from .selectors import exchange_rate_list
from .services import exchange_rate_record_manual, exchange_rate_revoke


class ExchangeRateListView(KnownQueryParameters, ListAPIView):
    """Stored market rates, newest first (`?base=`, `?quote=`, `?source=manual`); POST
    records a manual rate, which wins over fetched ones while it is fresh."""

    query_parameters = ("base", "quote", "source")

    permission_classes = ADMIN_PERMISSION_CLASSES
    serializer_class = s.ExchangeRateOutput

    @property
    def required_permissions(self):
        if self.request.method == "POST":
            return ["currency.add_exchangerate"]
        return ["currency.view_exchangerate"]

    @extend_schema(
        parameters=[
            OpenApiParameter("base", str),
            OpenApiParameter("quote", str),
            OpenApiParameter("source", str),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return exchange_rate_list(
            base=params.get("base", "")[:3].upper(),
            quote=params.get("quote", "")[:3].upper(),
            source=params.get("source", "")[:64],
        )

    @extend_schema(request=s.ManualRateInput, responses={201: s.ExchangeRateOutput})
    def post(self, request):
        data = s.ManualRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = exchange_rate_record_manual(
            actor=request.user,
            base=data.validated_data["base"].upper(),
            quote=data.validated_data["quote"].upper(),
            rate=data.validated_data["rate"],
        )
        return Response(s.ExchangeRateOutput(row).data, status=status.HTTP_201_CREATED)


class ExchangeRateRevokeView(APIView):
    """Withdraw a manual rate entered by mistake."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["currency.add_exchangerate"]

    @extend_schema(request=None, responses={200: s.ExchangeRateOutput})
    def post(self, request, rate_id):
        row = exchange_rate_revoke(actor=request.user, rate_id=rate_id)
        return Response(s.ExchangeRateOutput(row).data)
