from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "apps.fees"
    label = "fees"
