"""Who may approve, the authenticator code, maker-checker, rejection."""

import pytest
from django.core import mail

from apps.audit.models import AdminLog
from apps.notifications.models import Notification
from apps.withdrawals.models import Withdrawal
from tests.factories import ActiveCampaignFactory, StaffFactory, UserFactory
from tests.withdrawals.conftest import (
    assert_books_clean,
    balances,
    client_for,
    fund,
    make_approver,
)

pytestmark = pytest.mark.django_db

APPROVE = "/v1/admin/payouts/approve"


@pytest.fixture
def requested(request_withdrawal):
    response = request_withdrawal(2_000_000)
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def approve(staff_api, django_capture_on_commit_callbacks):
    def run(ids, otp, client=None, execute=True):
        with django_capture_on_commit_callbacks(execute=execute):
            return (client or staff_api).post(
                APPROVE, {"withdrawal_ids": ids, "otp": otp}, format="json"
            )

    return run


def test_approval_with_a_fresh_code_sends_the_transfer_with_the_withdrawal_reference(
    requested, approve, code, transfers, approver, campaign
):
    response = approve([requested["id"]], code())

    assert response.status_code == 200, response.content
    assert response.json() == {"results": [{"id": requested["id"], "status": "approved"}]}
    (sent,) = transfers.calls("/transfer")
    assert requested["reference"].encode() in sent.request.body
    withdrawal = Withdrawal.objects.get(pk=requested["id"])
    assert (withdrawal.status, withdrawal.transfer_status) == ("processing", "pending")
    assert withdrawal.reviewed_by == approver
    log = AdminLog.objects.get(action="withdrawal.approve")
    assert (log.actor, log.target_id) == (approver, requested["id"])
    assert balances(campaign) == {"available": 8_000_000, "held": 2_000_000}
    assert [e.type for e in withdrawal.events.order_by("id")] == [
        "requested",
        "approved",
        "transfer_sent",
        "transfer_updated",
    ]
    assert "approved" in mail.outbox[-1].subject
    assert Notification.objects.filter(template="payout_approved", channel="sms").exists()


def test_the_permission_matrix(requested, code, transfers, organizer):
    body = {"withdrawal_ids": [requested["id"]], "otp": "123456"}
    # the organiser, another user, staff without the permission, staff without 2FA sign-in
    assert client_for(organizer).post(APPROVE, body, format="json").status_code == 403
    assert client_for(UserFactory()).post(APPROVE, body, format="json").status_code == 403
    bare_staff = StaffFactory(email="support@krogiving.test")
    response = client_for(bare_staff, second_factor=True).post(APPROVE, body, format="json")
    assert response.status_code == 403
    approver = make_approver("no-2fa@krogiving.test")
    assert client_for(approver).post(APPROVE, body, format="json").status_code == 403
    assert Withdrawal.objects.get(pk=requested["id"]).status == "requested"


def test_staff_without_an_authenticator_are_told_how_to_get_one(requested, transfers):
    member = make_approver("nodevice@krogiving.test", device=False)
    client = client_for(member, second_factor=True)

    started = client.post("/v1/admin/payouts/two-factor/initialize")
    assert started.status_code == 403
    assert started.json()["error"]["code"] == "otp_device_missing"
    assert "totp_enroll" in started.json()["error"]["message"]
    body = {"withdrawal_ids": [requested["id"]], "otp": "123456"}
    response = client.post(APPROVE, body, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_device_missing"


def test_two_factor_initialize_names_the_factor(staff_api):
    response = staff_api.post("/v1/admin/payouts/two-factor/initialize")
    assert response.status_code == 200
    assert response.json()["factor"] == "totp"
    assert response.json()["devices"] == ["phone"]


@pytest.mark.parametrize(("label", "offset"), [("wrong", None), ("expired", -20)])
def test_a_wrong_or_expired_code_approves_nothing(
    requested, approve, code, transfers, label, offset
):
    otp = "000000" if offset is None else code(offset)
    if offset is None and otp == code():
        otp = "000001"
    response = approve([requested["id"]], otp)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_otp"
    assert Withdrawal.objects.get(pk=requested["id"]).status == "requested"
    assert transfers.calls("/transfer") == []


def test_a_code_works_once(request_withdrawal, approve, code, transfers):
    first = request_withdrawal(1_000_000).json()
    second = request_withdrawal(1_000_000).json()
    otp = code()
    assert approve([first["id"]], otp).status_code == 200

    replay = approve([second["id"]], otp)

    assert replay.status_code == 400
    assert replay.json()["error"]["code"] == "invalid_otp"
    assert Withdrawal.objects.get(pk=second["id"]).status == "requested"


def test_staff_never_approve_their_own_withdrawal(
    approver, code, transfers, django_capture_on_commit_callbacks
):

    own = ActiveCampaignFactory(organizer=approver, currency_id="NGN")
    fund(own, 5_000_000)
    me = client_for(approver, second_factor=True)
    me.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": "0123456789"}, format="json"
    )
    account = me.get("/v1/bank-accounts").json()[0]["id"]
    mine = me.post(
        "/v1/withdrawal",
        {"campaign": str(own.pk), "amount": 1_000_000, "bank_account": account},
        format="json",
    ).json()

    response = me.post(APPROVE, {"withdrawal_ids": [mine["id"]], "otp": code()}, format="json")

    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert (result["status"], result["code"]) == ("requested", "own_withdrawal")
    rejected = me.post(f"/v1/admin/payouts/{mine['id']}/reject", {"reason": "mine"}, format="json")
    assert rejected.status_code == 403
    assert rejected.json()["error"]["code"] == "own_withdrawal"
    assert transfers.calls("/transfer") == []


def test_each_id_gets_its_own_answer(request_withdrawal, approve, code, transfers, campaign):
    good = request_withdrawal(1_000_000).json()
    cancelled = request_withdrawal(1_000_000).json()
    Withdrawal.objects.filter(pk=cancelled["id"]).update(status="cancelled")
    missing = "00000000-0000-0000-0000-000000000000"

    results = approve([good["id"], cancelled["id"], missing], code()).json()["results"]

    assert [(r["id"], r["status"], r.get("code")) for r in results] == [
        (good["id"], "approved", None),
        (cancelled["id"], "cancelled", "withdrawal_not_requested"),
        (missing, "not_found", "withdrawal_not_found"),
    ]


def test_rejection_releases_the_hold_and_the_organiser_may_ask_again(
    requested, staff_api, campaign, request_withdrawal, approver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            f"/v1/admin/payouts/{requested['id']}/reject",
            {"reason": "The bank account name does not match the organiser."},
            format="json",
        )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["rejection_reason"].startswith("The bank account name")
    assert [e["type"] for e in body["timeline"]] == ["requested", "rejected"]
    assert balances(campaign) == {"available": 10_000_000, "held": 0}
    assert AdminLog.objects.filter(action="withdrawal.reject", actor=approver).count() == 1
    assert "not approved" in mail.outbox[-1].subject
    again = staff_api.post(
        f"/v1/admin/payouts/{requested['id']}/reject", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "withdrawal_not_requested"
    assert request_withdrawal(10_000_000).status_code == 201
    assert_books_clean()


def test_a_rejection_needs_a_reason(requested, staff_api):
    response = staff_api.post(f"/v1/admin/payouts/{requested['id']}/reject", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_staff_list_and_read_withdrawals_with_their_timeline(requested, staff_api):
    listed = staff_api.get("/v1/admin/payouts?status=requested").json()
    assert listed["count"] == 1
    assert listed["results"][0]["requested_by"]["email"] == "organiser@example.com"
    detail = staff_api.get(f"/v1/admin/payouts/{requested['id']}").json()
    assert detail["timeline"][0]["type"] == "requested"
