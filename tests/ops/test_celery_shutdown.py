"""Celery hands in-flight work back on shutdown or a lost worker (krogiving/celery.py)."""

import pytest
from django.conf import settings

from krogiving.celery import app

MONEY_TASKS = (
    "payouts.send_transfer",
    "payments.process_paystack_event",
    "donations.reconcile_pending",
    "payouts.reconcile",
)


@pytest.fixture(scope="module")
def tasks():
    app.loader.import_default_modules()
    return app.tasks


def test_the_worker_acknowledges_late_and_prefetches_one():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True


@pytest.mark.parametrize("name", MONEY_TASKS)
def test_money_tasks_are_handed_back_when_their_worker_is_lost(tasks, name):
    task = tasks[name]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


def test_no_task_opts_out_of_late_acknowledgement(tasks):
    ours = [t for n, t in tasks.items() if not n.startswith("celery.")]
    assert ours
    assert [t.name for t in ours if not t.acks_late] == []


def test_visibility_timeout_outlasts_every_time_limit_and_retry_countdown(tasks):
    """Otherwise Redis would hand a task that is still running (or waiting for its retry)
    to a second worker."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert app.conf.broker_transport_options["visibility_timeout"] == visibility
    limits = [t.time_limit or 0 for n, t in tasks.items() if not n.startswith("celery.")]
    longest_retry_countdown = 600 + 5  # apps/payouts/tasks.py, apps/payments/tasks.py
    assert visibility > max([*limits, app.conf.task_time_limit or 0, longest_retry_countdown])
