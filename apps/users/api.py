"""Account endpoints: register, login, token refresh, logout, profile, password reset,
contact verification by one-time code."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.errors import InvalidInput
from apps.core.http import PublicEndpointMixin, client_ip
from apps.otp.serializers import OtpVerifyInput

from . import serializers as s
from .auth import credentials_authenticate, record_login
from .services import (
    user_password_reset_request,
    user_register,
    user_reset_password,
    user_update_profile,
    user_verify_contact,
)
from .tokens import tokens_for

User = get_user_model()


class RegisterView(PublicEndpointMixin, APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=s.RegisterInput, responses={201: s.AuthOutput})
    def post(self, request):
        """Create an account; the answer carries its tokens (access and refresh)."""
        data = s.RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response({"user": s.UserSerializer(user).data, **tokens_for(user)}, status=201)


class LoginView(PublicEndpointMixin, APIView):
    permission_classes = [AllowAny]
    error_statuses = (401,)  # OpenAPI: wrong email or password (authentication_failed)
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=s.LoginInput, responses={200: s.AuthOutput})
    def post(self, request):
        """Sign in with email and password; the answer carries the tokens."""
        data = s.LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = credentials_authenticate(request=request._request, **data.validated_data)
        record_login(request=request._request, user=user)
        return Response({**tokens_for(user), "user": s.UserSerializer(user).data})


class RefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except User.DoesNotExist as exc:
            raise InvalidToken("The account this token belongs to no longer exists.") from exc


class RefreshView(PublicEndpointMixin, APIView):
    """Trade a refresh token for a new pair; the old refresh token is blacklisted."""

    permission_classes = [AllowAny]
    error_statuses = (401,)  # OpenAPI: a bad, expired or used refresh token

    @extend_schema(request=s.RefreshInput, responses={200: s.TokenPairOutput})
    def post(self, request):
        s.RefreshInput(data=request.data).is_valid(raise_exception=True)
        serializer = RefreshSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return Response(serializer.validated_data)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.RefreshInput, responses={204: None})
    def post(self, request):
        """Sign out: blacklist the signed-in account's refresh token."""
        data = s.RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        if str(token.get("user_id")) != str(request.user.pk):
            raise InvalidInput(
                "refresh: This refresh token belongs to another account.",
                fields={"refresh": ["This refresh token belongs to another account."]},
            )
        token.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.ProfileSerializer})
    def get(self, request):
        """The signed-in account's profile."""
        return Response(s.ProfileSerializer(request.user).data)

    @extend_schema(request=s.ProfileUpdateInput, responses={200: s.ProfileSerializer})
    def patch(self, request):
        """Change the signed-in account's profile; only the fields sent change."""
        data = s.ProfileUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **data.validated_data)
        return Response(s.ProfileSerializer(user).data)


def _contact(validated: dict) -> tuple[str, str]:
    if validated.get("email"):
        return "email", validated["email"].strip().lower()
    return "sms", validated["phone"]


class PasswordResetRequestView(PublicEndpointMixin, APIView):
    """Send a reset code to the account's email or phone.

    The answer is the same whether or not an account exists, so it cannot be used to
    find out who has an account.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        request=s.PasswordResetRequestInput,
        responses={
            202: inline_serializer(
                "PasswordResetRequestedOutput",
                {
                    "detail": serializers.CharField(),
                    "expires_in": serializers.IntegerField(help_text="Seconds."),
                    "resend_in": serializers.IntegerField(help_text="Seconds."),
                },
            )
        },
    )
    def post(self, request):
        data = s.PasswordResetRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel, destination = _contact(data.validated_data)
        issued = user_password_reset_request(
            channel=channel, destination=destination, client_ip=client_ip(request)
        )
        return Response(
            {
                "detail": "If an account has this contact, a code is on its way.",
                "expires_in": issued.expires_in,
                "resend_in": issued.resend_in,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicEndpointMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.PasswordResetConfirmInput,
        responses={200: inline_serializer("DetailOutput", {"detail": serializers.CharField()})},
    )
    def post(self, request):
        """Set a new password with the code sent to the account's email or phone."""
        data = s.PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel, destination = _contact(data.validated_data)
        user_reset_password(
            channel=channel,
            destination=destination,
            code=data.validated_data["code"],
            new_password=data.validated_data["new_password"],
        )
        return Response({"detail": "Your password has been changed. Sign in with it."})


# POST /v1/otp/verify: a right verify_email / verify_phone code marks the contact verified
# on the account that holds it.
class OtpVerifyView(PublicEndpointMixin, APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp_verify"

    @extend_schema(
        request=OtpVerifyInput,
        responses={
            200: inline_serializer(
                "OtpVerifiedOutput",
                {"verified": serializers.BooleanField(), "destination": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        """Check a verify_email / verify_phone code; a right one marks the contact verified on the
        account that holds it."""
        data = OtpVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        destination = user_verify_contact(**data.validated_data)
        return Response({"verified": True, "destination": destination})
