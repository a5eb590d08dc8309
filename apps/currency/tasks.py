from apps.core.jobs import scheduled_job

from .services import exchange_rates_refresh


@scheduled_job("apps.currency.tasks.refresh_exchange_rates", time_limit=120)
def refresh_exchange_rates() -> str:
    """Fetch the latest market rates; a failure keeps the old ones (and is logged)."""
    refresh = exchange_rates_refresh()
    return refresh.status if refresh is not None else "skipped"
