from django.apps import apps
from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    """django.contrib.admin with the console as its default site (`admin.site`)."""

    default_site = "krogiving.console.site.ConsoleSite"

    def ready(self) -> None:
        from .sections import APP_VERBOSE_NAMES

        # Human names for third-party apps (breadcrumbs, page titles); not in migrations.
        for label, name in APP_VERBOSE_NAMES.items():
            try:
                apps.get_app_config(label).verbose_name = name
            except LookupError:
                continue
        super().ready()
