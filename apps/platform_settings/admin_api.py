"""Staff endpoints under /v1/admin/ for platform settings and their change log."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.http import client_ip
from apps.core.query import KnownQueryParameters
from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from . import serializers as s
from .selectors import get_platform_settings, settings_change_log, withdrawal_cap_log
from .services import platform_settings_set_withdrawal_cap


class AdminSettingsView(APIView):
    """The whole settings record: margin, rate age, and per currency the withdrawal
    limits and the fee policy (amounts in minor units)."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["platform_settings.view_platformsettings"]

    @extend_schema(responses={200: s.PlatformSettingsOutput})
    def get(self, request):
        return Response(get_platform_settings().as_dict())


class GlobalWithdrawalCapView(APIView):
    """Set the cap per withdrawal request of one currency. Logged with who and from where."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["platform_settings.change_platformsettings"]

    @extend_schema(request=s.GlobalWithdrawalCapInput, responses={200: s.GlobalWithdrawalCapOutput})
    def put(self, request):
        data = s.GlobalWithdrawalCapInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = platform_settings_set_withdrawal_cap(
            actor=request.user,
            currency=data.validated_data["currency"],
            amount=data.validated_data["amount"],
            ip_address=client_ip(request._request),
        )
        return Response(s.GlobalWithdrawalCapOutput(change).data)


class WithdrawalCapLogView(KnownQueryParameters, ListAPIView):
    """Changes to withdrawal caps, newest first: global (per currency) and per campaign."""

    query_parameters = ("currency", "campaign")

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["platform_settings.view_settingschangelog"]
    serializer_class = s.WithdrawalCapChangeOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("currency", str, description="Only the global cap of this currency"),
            OpenApiParameter("campaign", str, description="Only this campaign's own cap"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        currency = (params.get("currency") or "").strip().upper()[:3] or None
        campaign = (params.get("campaign") or "").strip()[:36] or None
        return withdrawal_cap_log(currency=currency, campaign_id=campaign)


class SettingsChangeLogView(KnownQueryParameters, ListAPIView):
    """Every settings change, newest first; `?key=` narrows to keys starting with it."""

    query_parameters = ("key",)

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["platform_settings.view_settingschangelog"]
    serializer_class = s.SettingsChangeOutput

    @extend_schema(parameters=[OpenApiParameter("key", str, description="Key prefix")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return settings_change_log(key_prefix=self.request.query_params.get("key", "")[:120])
