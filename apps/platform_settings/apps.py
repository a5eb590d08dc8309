from django.apps import AppConfig


class PlatformSettingsConfig(AppConfig):
    name = "apps.platform_settings"
    label = "platform_settings"
    verbose_name = "Platform settings"

    def ready(self) -> None:
        from apps.core.seeding import register_seeder

        from .defaults import seed_platform_settings

        register_seeder(seed_platform_settings, order=20)
