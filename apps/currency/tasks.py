from celery import shared_task

from .services import exchange_rates_refresh


@shared_task(name="apps.currency.tasks.refresh_exchange_rates")
def refresh_exchange_rates() -> str:
    """Fetch the latest market rates; a failure keeps the old ones (and is logged)."""
    refresh = exchange_rates_refresh()
    return refresh.status if refresh is not None else "skipped"
