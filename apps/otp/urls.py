from django.urls import path

from . import api

# otp/verify is in apps/users/urls.py: verifying a contact marks the account.
urlpatterns = [
    path("otp/send", api.OtpSendView.as_view(), name="otp-send"),
]
