import logging

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"

    def ready(self) -> None:
        from .tasks import HideSecretArgsFilter

        trace_logger = logging.getLogger("celery.app.trace")
        if not any(isinstance(f, HideSecretArgsFilter) for f in trace_logger.filters):
            trace_logger.addFilter(HideSecretArgsFilter())
