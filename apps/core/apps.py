from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from .seeding import SEED_ORDER_LAST, register_seeder, seed_staff_groups

        register_seeder(seed_staff_groups, order=SEED_ORDER_LAST)
