from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from apps.core.seeding import register_seeder

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            signals,  # noqa: F401  (comment writes drop cached comment pages)
        )
        from .reference import seed_categories

        register_seeder(seed_categories, order=30)
