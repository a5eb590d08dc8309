from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    """Staff approval with a fresh authenticator code, Paystack transfers, transfer events.

    The `transfer.*` webhook handlers are registered here.
    """

    name = "apps.payouts"
    label = "payouts"
    verbose_name = "Payouts"

    def ready(self) -> None:
        from apps.payments.events import register_event_handler

        from . import handlers

        register_event_handler("transfer.*", handlers.on_transfer_event)
