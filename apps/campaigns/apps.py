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

        from django.db.models.signals import post_delete, post_save

        from .cache import category_cache_invalidate
        from .models import Category

        def _category_changed(**kwargs: object) -> None:
            category_cache_invalidate()

        post_save.connect(_category_changed, sender=Category, weak=False)
        post_delete.connect(_category_changed, sender=Category, weak=False)
