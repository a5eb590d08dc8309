from apps.core.jobs import scheduled_job
from apps.notifications.checks import nightly_check_run


@scheduled_job("ledger.check", time_limit=1800)
def ledger_check() -> str:
    """Nightly `manage.py ledger_check`; staff are emailed on any difference (or crash)."""
    return nightly_check_run("ledger_check")
