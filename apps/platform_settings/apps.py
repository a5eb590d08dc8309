from django.apps import AppConfig


class PlatformSettingsConfig(AppConfig):
    name = "apps.platform_settings"
    label = "platform_settings"
