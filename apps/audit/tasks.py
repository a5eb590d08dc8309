from apps.core.jobs import scheduled_job
from apps.notifications.checks import nightly_check_run


@scheduled_job("audit.verify", time_limit=1800)
def audit_verify() -> str:
    """Nightly `manage.py audit_verify`; staff are emailed when the chain is broken."""
    return nightly_check_run("audit_verify")
