from django.apps import AppConfig


class KrogivingConfig(AppConfig):
    """The composition root: connects apps that may not import each other, once every
    app is ready (`krogiving/wiring.py`). Listed last in INSTALLED_APPS."""

    name = "krogiving"
    label = "krogiving"

    def ready(self) -> None:
        from apps.core.seeding import register_demo_seeder

        from . import checks  # noqa: F401  (registers the production start-up checks)
        from .demo import seed_demo
        from .wiring import connect

        connect()
        register_demo_seeder(seed_demo)
