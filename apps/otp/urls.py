from django.urls import path

from . import api

urlpatterns = [
    path("otp/send", api.OtpSendView.as_view(), name="otp-send"),
    path("otp/verify", api.OtpVerifyView.as_view(), name="otp-verify"),
]
