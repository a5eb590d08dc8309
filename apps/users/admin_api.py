"""Staff endpoints under /v1/admin/: sign-in with TOTP, user list, suspend and reinstate."""

import uuid

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.core.errors import Forbidden, NotFound
from apps.core.http import PublicEndpointMixin
from apps.core.query import KnownQueryParameters

from . import serializers as s
from .auth import credentials_authenticate, record_login, totp_check
from .models import User
from .permissions import ADMIN_PERMISSION_CLASSES
from .selectors import user_list
from .services import user_suspend
from .tokens import tokens_for


class StaffSignInView(PublicEndpointMixin, APIView):
    """Password and the code of the staff member's authenticator -> staff tokens."""

    permission_classes = [AllowAny]
    # OpenAPI: wrong credentials or code (401); not a staff account (403 `not_staff`).
    error_statuses = (401, 403)
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=s.StaffSignInInput, responses={200: s.TokenPairOutput})
    def post(self, request):
        data = s.StaffSignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        django_request = request._request
        user = credentials_authenticate(
            request=django_request, email=email, password=data.validated_data["password"]
        )
        if not user.is_staff:
            raise Forbidden("Only staff accounts can sign in here.", code="not_staff")
        totp_check(request=django_request, user=user, email=email, token=data.validated_data["otp"])
        record_login(request=django_request, user=user)
        return Response(tokens_for(user, second_factor=True))


class AdminUserListView(KnownQueryParameters, ListAPIView):
    query_parameters = ("q", "is_staff")
    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["users.view_user"]
    serializer_class = s.AdminUserSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search email, names and phone"),
            OpenApiParameter("is_staff", bool),
        ]
    )
    def get(self, request, *args, **kwargs):
        """Users for staff; search by `q` (email, names, phone), filter by `is_staff`."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        is_staff = self.request.query_params.get("is_staff")
        return user_list(
            query=self.request.query_params.get("q", "").strip()[:100],
            is_staff={"true": True, "false": False}.get((is_staff or "").lower()),
        )


def _user(user_id: uuid.UUID) -> User:
    member = User.objects.filter(pk=user_id).first()
    if member is None:
        raise NotFound("No such user.")
    return member


class AdminUserSuspendView(APIView):
    """Suspend a user with a reason: their tokens stop working at once (refresh tokens are
    blacklisted, access tokens refused on the next request). Staff cannot suspend
    themselves."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["users.change_user"]

    @extend_schema(request=s.SuspendInput, responses={200: s.AdminUserSerializer})
    def post(self, request, user_id: uuid.UUID):
        member = _user(user_id)
        data = s.SuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        if member.pk == request.user.pk:
            raise Forbidden("You cannot suspend yourself.", code="cannot_suspend_self")
        member = user_suspend(
            user=member,
            actor=request.user,
            reason=data.validated_data["reason"],
            request=request._request,
        )
        return Response(s.AdminUserSerializer(member).data)


class AdminUserReinstateView(APIView):
    """Lift a user's suspension (they sign in again; old tokens stay revoked)."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["users.change_user"]

    @extend_schema(request=None, responses={200: s.AdminUserSerializer})
    def post(self, request, user_id: uuid.UUID):
        member = user_suspend(
            user=_user(user_id),
            actor=request.user,
            reason="",
            suspended=False,
            request=request._request,
        )
        return Response(s.AdminUserSerializer(member).data)
