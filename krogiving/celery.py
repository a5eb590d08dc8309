"""The Celery app. Its configuration is the CELERY_* settings (krogiving/settings.py).

Graceful shutdown and lost work. Money tasks (payouts.send_transfer,
payments.process_paystack_event, donations.reconcile_pending, payouts.reconcile) must
never be lost, and each is safe to run twice (a transfer keeps its reference, so
Paystack refuses a second one; an event is applied once; the reconcilers re-read the
state). So, for every task:

- `task_acks_late`: the message is acknowledged when the task ends. SIGTERM is Celery's
  warm shutdown: the worker takes no new message and finishes the ones running (the
  platform's stop grace period: docker-compose.yml, App Platform); a task cut short
  leaves its message unacknowledged, and Redis hands it to another worker after the
  broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT).
- `task_reject_on_worker_lost`: a pool process killed mid-task (OOM, SIGKILL) requeues
  its message at once instead of acknowledging it as failed.
- `worker_prefetch_multiplier = 1`: a worker holds one message per process beyond those
  running, so a shutdown strands as little as possible.
- `worker_cancel_long_running_tasks_on_connection_loss`: a worker cut off from Redis
  cancels its running late-ack tasks, whose messages Redis will redeliver.

This is set globally rather than per task because every task here is idempotent
(notifications claim their row with a lease; jobs take a lock). What a lost message
would still leave undone (a task never enqueued after its commit, say) the scheduled
reconcilers and the Paystack replay pick up: README, Operations.
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krogiving.settings")

app = Celery("krogiving")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.before_task_publish.connect
def _send_request_id(headers: dict | None = None, **_: object) -> None:
    """Carry the request id into the task, so its log lines can be joined to it."""
    from apps.core.context import current_request_id

    if headers is not None:
        headers.setdefault("request_id", current_request_id())


@signals.task_prerun.connect
def _receive_request_id(task=None, **_: object) -> None:
    from apps.core.context import request_id_var

    request_id = getattr(task.request, "request_id", None) if task else None
    if request_id:
        request_id_var.set(request_id)
