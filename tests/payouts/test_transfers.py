"""The transfer: Paystack's events applied once in any order, the OTP path, the
reconciler, a lost task, Paystack down or refusing. The books balance after each."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.payments.signing import sign
from apps.payouts.services import payouts_reconcile
from apps.withdrawals.models import Withdrawal
from tests.paystack import PAYSTACK_SECRET as SECRET
from tests.withdrawals.conftest import assert_books_clean, balances

pytestmark = pytest.mark.django_db

WEBHOOK = "/v1/paystack/webhook"


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, paystack_settings):
    def send(payload: dict):
        import json

        body = json.dumps(payload, separators=(",", ":")).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(
                WEBHOOK,
                data=body,
                content_type="application/json",
                HTTP_X_PAYSTACK_SIGNATURE=sign(body, SECRET),
            )

    return send


@pytest.fixture
def approved(request_withdrawal, staff_api, code, transfers, django_capture_on_commit_callbacks):
    """A withdrawal of NGN 20,000 approved; `execute=False`: the transfer task was lost."""

    steps = iter(range(2))  # a code works once: a second approval takes the next one

    def make(amount: int = 2_000_000, execute: bool = True) -> Withdrawal:
        created = request_withdrawal(amount).json()
        with django_capture_on_commit_callbacks(execute=execute):
            response = staff_api.post(
                "/v1/admin/payouts/approve",
                {"withdrawal_ids": [created["id"]], "otp": code(next(steps))},
                format="json",
            )
        assert response.json()["results"][0]["status"] == "approved", response.content
        return Withdrawal.objects.get(pk=created["id"])

    return make


def _status(withdrawal) -> str:
    withdrawal.refresh_from_db()
    return withdrawal.status


def test_transfer_success_pays_out_once(approved, transfers, deliver, campaign, owner_api):
    withdrawal = approved()
    event = transfers.event("success", withdrawal.reference)

    assert deliver(event).status_code == 200
    deliver({**event, "data": {**event["data"], "session": {"id": "again"}}})  # another body

    assert _status(withdrawal) == "completed"
    assert balances(campaign) == {"available": 8_000_000, "held": 0}
    mine = owner_api.get("/v1/campaigns/mine").json()["results"][0]
    assert mine["money"]["paid_out"] == 2_000_000
    assert "on its way" in mail.outbox[-1].subject
    assert [e.type for e in withdrawal.events.order_by("id")][-1] == "completed"
    assert_books_clean()


@pytest.mark.parametrize("kind", ["failed", "reversed"])
def test_a_failed_or_reversed_transfer_returns_the_money_once(
    approved, transfers, deliver, campaign, kind, request_withdrawal
):
    withdrawal = approved()
    deliver(transfers.event(kind, withdrawal.reference))
    deliver(transfers.event(kind, withdrawal.reference, reason="again"))

    assert _status(withdrawal) == "failed"
    assert balances(campaign) == {"available": 10_000_000, "held": 0}
    assert "did not go through" in mail.outbox[-1].subject
    assert request_withdrawal(10_000_000).status_code == 201  # may ask again
    assert_books_clean()


def test_a_late_success_after_failure_moves_no_money_and_is_flagged(
    approved, transfers, deliver, campaign
):
    withdrawal = approved()
    deliver(transfers.event("failed", withdrawal.reference))
    deliver(transfers.event("success", withdrawal.reference))

    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.needs_review) == ("failed", True)
    assert balances(campaign) == {"available": 10_000_000, "held": 0}
    assert withdrawal.events.filter(type="flagged_for_review").exists()
    assert_books_clean()


def test_a_reversal_after_success_brings_the_money_back_once(
    approved, transfers, deliver, campaign, owner_api
):
    withdrawal = approved()
    deliver(transfers.event("success", withdrawal.reference))
    deliver(transfers.event("reversed", withdrawal.reference))
    deliver(transfers.event("reversed", withdrawal.reference, reason="again"))
    deliver(transfers.event("success", withdrawal.reference, reason="late"))

    assert _status(withdrawal) == "failed"
    assert balances(campaign) == {"available": 10_000_000, "held": 0}
    mine = owner_api.get("/v1/campaigns/mine").json()["results"][0]
    assert mine["money"]["paid_out"] == 0
    assert_books_clean()


def test_an_event_for_another_amount_moves_nothing(approved, transfers, deliver, campaign):
    withdrawal = approved()
    deliver(transfers.event("success", withdrawal.reference, amount=2_000_001))

    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.needs_review) == ("processing", True)
    assert balances(campaign)["held"] == 2_000_000


def test_the_otp_path_waits_for_staff_to_finalize(
    approved, transfers, deliver, staff_api, campaign
):
    transfers.next_status = "otp"
    withdrawal = approved()
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.transfer_status) == ("processing", "otp")
    url = f"/v1/admin/payouts/{withdrawal.pk}/finalize"

    wrong = staff_api.post(url, {"otp": "999999"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "transfer_otp_rejected"

    done = staff_api.post(url, {"otp": "123456"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["transfer_status"]) == ("processing", "pending")
    again = staff_api.post(url, {"otp": "123456"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "transfer_not_awaiting_otp"

    deliver(transfers.event("success", withdrawal.reference))
    assert _status(withdrawal) == "completed"
    assert_books_clean()


def test_the_reconciler_settles_a_transfer_paystack_was_quiet_about(approved, transfers, campaign):
    withdrawal = approved()
    transfers.settle(withdrawal.reference, "success")
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )

    counts = payouts_reconcile()

    assert counts["verify:applied"] == 1
    assert _status(withdrawal) == "completed"
    assert balances(campaign)["held"] == 0
    assert_books_clean()


def test_a_transfer_whose_task_was_lost_is_sent_by_the_reconciler_once(
    approved, transfers, campaign
):
    withdrawal = approved(execute=False)  # the worker died before the transfer task ran
    assert transfers.calls("/transfer") == []
    assert _status(withdrawal) == "approved"
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=1)
    )

    payouts_reconcile()
    payouts_reconcile()

    assert len(transfers.calls("/transfer")) == 1
    assert _status(withdrawal) == "processing"


def test_the_scheduled_reconcile_job_sends_a_lost_transfer_once(approved, transfers, campaign):
    """The same recovery through the scheduled job (its lock and run record)."""
    from apps.core.models import JobRun
    from apps.payouts.tasks import reconcile_payouts

    withdrawal = approved(execute=False)  # the transfer task was lost after the commit
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=1)
    )

    first = reconcile_payouts.delay().get()
    second = reconcile_payouts.delay().get()

    assert sum(first.values()) >= 1 and first != second
    assert len(transfers.calls("/transfer")) == 1
    assert _status(withdrawal) == "processing"
    assert JobRun.objects.get(name="payouts.reconcile").successes == 2


def test_a_replayed_send_never_pays_twice(approved, transfers):
    from apps.payouts.services import payout_send_transfer

    withdrawal = approved(execute=False)
    assert payout_send_transfer(withdrawal_id=withdrawal.pk) == "sent"
    # a second worker with the same task (the status moved on: nothing to send) ...
    assert payout_send_transfer(withdrawal_id=withdrawal.pk) == "skipped"
    # ... and even if it had not, Paystack refuses the reference and we read it back
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status="approved")
    assert payout_send_transfer(withdrawal_id=withdrawal.pk) == "sent"
    assert len(transfers.transfers) == 1
    assert _status(withdrawal) == "processing"


def test_paystack_down_leaves_it_approved_for_a_retry(approved, transfers):
    transfers.fail["transfer"] = (503, {"status": False, "message": "Service unavailable"})
    withdrawal = approved()

    withdrawal.refresh_from_db()
    assert withdrawal.status == "approved"
    attempt = withdrawal.events.filter(type="transfer_attempt").last()
    assert attempt.data["outcome"] == "unreachable"

    del transfers.fail["transfer"]
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=1)
    )
    payouts_reconcile()
    assert _status(withdrawal) == "processing"


def test_a_low_platform_balance_is_put_before_staff(approved, transfers, staff_api):
    transfers.fail["transfer"] = (
        400,
        {"status": False, "message": "Your balance is not enough to fulfil this request"},
    )
    withdrawal = approved()

    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.needs_review) == ("approved", True)
    detail = staff_api.get(f"/v1/admin/payouts/{withdrawal.pk}").json()
    attempt = [e for e in detail["timeline"] if e["type"] == "transfer_attempt"][-1]
    assert "balance is not enough" in attempt["data"]["error"]


def test_the_audit_chain_and_ledger_check_pass_after_payouts(approved, transfers, deliver):
    deliver(transfers.event("success", approved().reference))
    deliver(transfers.event("failed", approved(1_000_000).reference))
    call_command("ledger_check")
    call_command("audit_verify")
