from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Paystack: the one client, webhook intake and event store, and the offline sandbox.

    Domain apps (donations, payouts) register their webhook handlers in their own
    `AppConfig.ready()` with `apps.payments.events.register_event_handler`.
    """

    name = "apps.payments"
    label = "payments"
    verbose_name = "Payments (Paystack)"
