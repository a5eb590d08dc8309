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
