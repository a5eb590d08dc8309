from django.apps import AppConfig


class OtpConfig(AppConfig):
    name = "apps.otp"
    label = "otp"
