"""POST /v1/otp/send. POST /v1/otp/verify is served by the users app
(`apps.users.api.OtpVerifyView`), which marks the verified contact on the account."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.core.http import client_ip

from .serializers import OtpSendInput
from .services import otp_send_own_contact


class OtpSendView(APIView):
    """Send a six-digit code by SMS or email to the signed-in account's own email or
    phone. The code is never in the answer."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp"

    @extend_schema(
        request=OtpSendInput,
        responses={
            202: inline_serializer(
                "OtpSentOutput",
                {
                    "detail": serializers.CharField(),
                    "destination": serializers.CharField(help_text="Masked."),
                    "expires_in": serializers.IntegerField(help_text="Seconds."),
                    "resend_in": serializers.IntegerField(help_text="Seconds."),
                },
            )
        },
    )
    def post(self, request):
        data = OtpSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = otp_send_own_contact(
            user=request.user, **data.validated_data, client_ip=client_ip(request)
        )
        return Response(
            {
                "detail": f"A code has been sent by {issued.channel}.",
                "destination": issued.destination,
                "expires_in": issued.expires_in,
                "resend_in": issued.resend_in,
            },
            status=status.HTTP_202_ACCEPTED,
        )
