"""The Celery beat schedule, declared in code.

`manage.py install_schedule` writes it into django-celery-beat's tables, where staff can
pause a job or change its time in the console; an entry removed here is removed there on
the next install. Each entry: name -> (task, crontab fields). Every task is a
`apps.core.jobs.scheduled_job` (overlap lock, time limit, late ack, last run recorded).
`make run` (eager tasks, no beat) runs this same schedule in a thread
(apps/core/scheduler.py).
"""

SCHEDULE: dict[str, tuple[str, dict[str, str]]] = {
    "flush expired refresh tokens": (
        "apps.users.tasks.flush_expired_tokens",
        {"minute": "17", "hour": "3"},
    ),
    "end campaigns past their end date": (
        "apps.campaigns.tasks.end_expired_campaigns",
        {"minute": "5"},  # hourly; safe to run any number of times
    ),
    "expire unconfirmed direct media uploads": (
        "apps.campaigns.tasks.media_expire_pending",
        {"minute": "41"},
    ),
    "refresh exchange rates": (
        "apps.currency.tasks.refresh_exchange_rates",
        {"minute": "11"},  # hourly
    ),
    "replay stuck paystack events": (
        "payments.replay_paystack_events",
        {"minute": "*/10"},
    ),
    "reconcile pending donations": (
        "donations.reconcile_pending",
        {"minute": "*/10"},  # settle what was paid, abandon what was not
    ),
    "reconcile payouts": (
        "payouts.reconcile",
        {"minute": "*/10"},  # send transfers a lost task never sent, verify stuck ones
    ),
    "organiser notices a lost task left unsent": (
        "donations.organizer_notices",
        {"minute": "*/5"},  # coalesced notices are normally sent by their own task
    ),
    "purge old idempotency keys": (
        "donations.purge_idempotency_keys",
        {"minute": "37", "hour": "4"},
    ),
    "re-send notifications a lost task left unsent": (
        "notifications.resend_lost",
        {"minute": "*/5"},  # once per message, NOTIFICATION_RESEND_AFTER_MINUTES after it
    ),
    "purge old delivered notifications": (
        "notifications.purge_delivered",
        {"minute": "47", "hour": "4"},  # sent ones older than NOTIFICATION_RETENTION_DAYS
    ),
    "nightly ledger check": (
        "ledger.check",
        {"minute": "13", "hour": "2"},  # emails staff on any difference
    ),
    "nightly audit chain check": (
        "audit.verify",
        {"minute": "43", "hour": "2"},  # emails staff when the chain is broken
    ),
    "purge old failed sign-in records": (
        "apps.users.tasks.purge_old_login_failures",
        {"minute": "27", "hour": "3"},
    ),
}
