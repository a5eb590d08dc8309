from django.apps import AppConfig


class DonationsConfig(AppConfig):
    """Donations: initialize with Paystack, settle verified charges, refunds, leaderboards.

    The Paystack webhook handlers of this domain are registered here, once the app
    registry is ready.
    """

    name = "apps.donations"
    label = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        from apps.payments.events import register_event_handler

        from . import handlers

        register_event_handler("charge.success", handlers.on_charge_success)
        register_event_handler("charge.failed", handlers.on_charge_failed)
        # refund.pending, .processing, .processed, .failed and any refund status Paystack
        # adds later (flagged for staff, never dropped).
        register_event_handler("refund.*", handlers.on_refund_event)
