from django.apps import AppConfig


class CurrencyConfig(AppConfig):
    name = "apps.currency"
    label = "currency"
    verbose_name = "Currencies and exchange rates"

    def ready(self) -> None:
        from apps.core.seeding import register_seeder

        from .reference import seed_currencies

        register_seeder(seed_currencies, order=10)
