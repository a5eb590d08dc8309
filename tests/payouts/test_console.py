"""The payouts console: the queue with each campaign's available balance, approval with
one authenticator code per batch (maker-checker shown per id), rejection with a reason,
the transfer OTP, and who may see and do what. Paystack is faked at the HTTP layer."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AdminLog
from apps.withdrawals.models import Withdrawal
from tests.campaigns.conftest import grant
from tests.factories import ActiveCampaignFactory, StaffFactory
from tests.staff import console_client
from tests.withdrawals.conftest import (
    assert_books_clean,
    balances,
    client_for,
    fund,
    totp_code,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/withdrawals/withdrawal/"
APPROVE = f"{QUEUE}approve/"
REJECT = f"{QUEUE}reject/"


def page(pk) -> str:
    return f"{QUEUE}{pk}/change/"


def with_ids(url: str, *ids) -> str:
    return f"{url}?{urlencode({'ids': ','.join(str(i) for i in ids)})}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def finance(approver):
    """The approver's console session (password and TOTP already verified)."""
    return console_client(approver)


@pytest.fixture
def now_code(approver):
    """The code of this moment from the approver's authenticator app ("phone")."""
    return lambda: totp_code(approver.totpdevice_set.get(name="phone"))


@pytest.fixture
def requested(request_withdrawal):
    response = request_withdrawal(2_000_000)  # NGN 20,000 of the campaign's 100,000
    assert response.status_code == 201, response.content
    return Withdrawal.objects.get(pk=response.json()["id"])


def test_the_queue_shows_money_formatted_requested_first_oldest_first(
    finance, request_withdrawal, approver, campaign
):
    first = Withdrawal.objects.get(pk=request_withdrawal(2_000_000).json()["id"])
    second = Withdrawal.objects.get(pk=request_withdrawal(1_000_000).json()["id"])
    third = Withdrawal.objects.get(pk=request_withdrawal(500_000).json()["id"])
    finance.post(with_ids(REJECT, first.pk), {"ids": str(first.pk), "reason": "Wrong bank"})

    response = finance.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "₦20,000.00" in html and "₦10,000.00" in html and "₦5,000.00" in html
    assert "2000000" not in html
    # available after the holds: 100,000 - 10,000 - 5,000 (the rejected 20,000 released)
    assert "₦85,000.00" in html
    rows = [row.reference for row in response.context["cl"].result_list]
    assert rows == [second.reference, third.reference, first.reference]


def test_the_queue_reads_balances_for_the_page_at_once(finance, request_withdrawal):
    request_withdrawal(1_000_000)
    with CaptureQueriesContext(connection) as one:
        assert finance.get(QUEUE).status_code == 200
    request_withdrawal(1_000_000)
    request_withdrawal(1_000_000)
    other = ActiveCampaignFactory(currency_id="NGN")
    fund(other, 1_000)
    with CaptureQueriesContext(connection) as three:
        assert finance.get(QUEUE).status_code == 200
    assert len(three) == len(one)


def test_who_may_see_and_act(requested, now_code):
    # a campaign reviewer cannot see payouts at all
    reviewer = grant(
        StaffFactory(email="rita@krogiving.test"),
        "campaigns.view_campaign",
        "campaigns.review_campaign",
        "campaigns.change_campaign",
    )
    rc = console_client(reviewer)
    for url in (QUEUE, page(requested.pk), with_ids(APPROVE, requested.pk)):
        assert rc.get(url).status_code == 403
    assert rc.post(APPROVE, {"ids": str(requested.pk), "otp": "123456"}).status_code == 403

    # staff who may look but not approve: the page, no actions, the steps refused
    viewer = console_client(
        grant(StaffFactory(email="looker@krogiving.test"), "withdrawals.view_withdrawal")
    )
    queue = viewer.get(QUEUE)
    assert queue.status_code == 200
    assert b"approve_selected" not in queue.content
    detail = viewer.get(page(requested.pk))
    assert detail.status_code == 200
    assert b"/approve/?ids=" not in detail.content
    for url, body in (
        (APPROVE, {"ids": str(requested.pk), "otp": "123456"}),
        (REJECT, {"ids": str(requested.pk), "reason": "no"}),
        (f"{QUEUE}{requested.pk}/finalize/", {"otp": "123456"}),
    ):
        assert viewer.post(url, body).status_code == 403
    viewer.post(QUEUE, {"action": "approve_selected", "_selected_action": [str(requested.pk)]})

    # staff without any payout permission
    plain = console_client(StaffFactory(email="plain@krogiving.test"))
    assert plain.get(QUEUE).status_code == 403
    assert plain.get(with_ids(APPROVE, requested.pk)).status_code == 403

    requested.refresh_from_db()
    assert requested.status == "requested"
    assert not AdminLog.objects.exists()


def test_the_withdrawal_page_is_read_only_with_its_steps_and_timeline(finance, requested):
    html = finance.get(page(requested.pk)).content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "₦20,000.00" in html and "₦80,000.00" in html  # amount, campaign available
    assert "Timeline" in html and "Requested (funds held)" in html
    assert with_ids(APPROVE, requested.pk).replace(",", "%2C") in html
    assert with_ids(REJECT, requested.pk).replace(",", "%2C") in html
    assert "/finalize/" not in html


def test_approve_selected_leads_to_the_code_page(finance, requested):
    response = finance.post(
        QUEUE, {"action": "approve_selected", "_selected_action": [str(requested.pk)]}
    )
    assert response.status_code == 302
    assert response["Location"] == with_ids(APPROVE, requested.pk).replace(",", "%2C")
    form = finance.get(response["Location"])
    html = form.content.decode()
    assert form.status_code == 200
    assert 'name="otp"' in html and 'value="Approve payouts"' in html
    assert requested.reference in html and "₦20,000.00" in html and "₦80,000.00" in html


def test_a_wrong_code_approves_nothing(finance, requested, now_code, transfers):
    wrong = "000000" if now_code() != "000000" else "000001"
    response = finance.post(APPROVE, {"ids": str(requested.pk), "otp": wrong})
    assert response.status_code == 200
    assert "The code is wrong, expired or already used." in response.content.decode()
    assert 'name="otp"' in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == "requested"
    assert transfers.calls("/transfer") == []
    assert not AdminLog.objects.filter(action="withdrawal.approve").exists()


def test_the_right_code_approves_and_the_transfer_is_sent(
    finance, requested, now_code, transfers, approver, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = finance.post(APPROVE, {"ids": str(requested.pk), "otp": now_code()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Approved: Approved; the transfer goes to Paystack." in html
    assert "₦20,000.00" in html
    assert "Approved 1 withdrawal(s)." in messages_of(response)
    (sent,) = transfers.calls("/transfer")
    assert requested.reference.encode() in sent.request.body
    requested.refresh_from_db()
    assert (requested.status, requested.transfer_status) == ("processing", "pending")
    assert requested.reviewed_by == approver
    log = AdminLog.objects.get(action="withdrawal.approve")
    assert (log.actor, log.target_id) == (approver, str(requested.pk))
    assert log.before == {"status": "requested"}
    assert log.after["status"] == "approved" and log.after["amount"] == 2_000_000
    assert balances(campaign) == {"available": 8_000_000, "held": 2_000_000}
    assert_books_clean()


def test_maker_checker_is_shown_per_withdrawal(
    finance, requested, approver, now_code, transfers, django_capture_on_commit_callbacks
):
    own_campaign = ActiveCampaignFactory(organizer=approver, currency_id="NGN")
    fund(own_campaign, 5_000_000)
    me = client_for(approver)
    me.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": "0123456789"}, format="json"
    )
    account = me.get("/v1/bank-accounts").json()[0]["id"]
    mine = me.post(
        "/v1/withdrawal",
        {"campaign": str(own_campaign.pk), "amount": 1_000_000, "bank_account": account},
        format="json",
    ).json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        response = finance.post(APPROVE, {"ids": f"{mine},{requested.pk}", "otp": now_code()})
    html = response.content.decode()
    assert "You requested this withdrawal; another staff member must approve it." in html
    assert 'data-code="own_withdrawal"' in html
    assert "1 withdrawal(s) not approved." in messages_of(response)
    assert Withdrawal.objects.get(pk=mine).status == "requested"
    requested.refresh_from_db()
    assert requested.status == "processing"
    assert list(AdminLog.objects.values_list("action", "target_id")) == [
        ("withdrawal.approve", str(requested.pk))
    ]


def test_reject_with_a_reason_releases_the_hold(finance, requested, campaign, approver):
    form = finance.get(with_ids(REJECT, requested.pk))
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    blank = finance.post(REJECT, {"ids": str(requested.pk), "reason": " "})
    assert "A reason is needed" in blank.content.decode()
    requested.refresh_from_db()
    assert requested.status == "requested"

    response = finance.post(
        REJECT,
        {"ids": str(requested.pk), "reason": "The account name does not match."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page(requested.pk)
    assert any("Rejected 1 withdrawal(s)" in m for m in messages_of(response))
    requested.refresh_from_db()
    assert (requested.status, requested.rejection_reason) == (
        "rejected",
        "The account name does not match.",
    )
    assert balances(campaign) == {"available": 10_000_000, "held": 0}
    log = AdminLog.objects.get(action="withdrawal.reject")
    assert log.actor == approver
    assert (log.before, log.after["status"], log.after["reason"]) == (
        {"status": "requested"},
        "rejected",
        "The account name does not match.",
    )
    # a second rejection is refused with the service's message
    again = finance.post(REJECT, {"ids": str(requested.pk), "reason": "again"}, follow=True)
    assert any("this one is rejected" in m for m in messages_of(again))
    assert_books_clean()


def test_bulk_reject_from_the_queue(finance, request_withdrawal, campaign):
    ids = [request_withdrawal(1_000_000).json()["id"] for _ in range(2)]
    response = finance.post(QUEUE, {"action": "reject_selected", "_selected_action": ids})
    assert response.status_code == 302 and "/reject/?ids=" in response["Location"]
    finance.post(REJECT, {"ids": ",".join(ids), "reason": "Duplicate requests"})
    assert set(Withdrawal.objects.values_list("status", flat=True)) == {"rejected"}
    assert balances(campaign) == {"available": 10_000_000, "held": 0}


def test_finalize_a_transfer_paystack_holds_for_an_otp(
    finance, requested, now_code, transfers, approver, django_capture_on_commit_callbacks
):
    transfers.next_status = "otp"
    with django_capture_on_commit_callbacks(execute=True):
        finance.post(APPROVE, {"ids": str(requested.pk), "otp": now_code()})
    requested.refresh_from_db()
    assert (requested.status, requested.transfer_status) == ("processing", "otp")
    url = f"{QUEUE}{requested.pk}/finalize/"
    assert url in finance.get(page(requested.pk)).content.decode()

    form = finance.get(url)
    assert form.status_code == 200
    assert 'name="otp"' in form.content.decode() and "₦20,000.00" in form.content.decode()
    wrong = finance.post(url, {"otp": "999999"})
    assert "Paystack refused the OTP" in wrong.content.decode()
    requested.refresh_from_db()
    assert requested.transfer_status == "otp"

    done = finance.post(url, {"otp": "123456"}, follow=True)
    assert done.redirect_chain[-1][0] == page(requested.pk)
    assert any("Transfer OTP given" in m for m in messages_of(done))
    requested.refresh_from_db()
    assert (requested.status, requested.transfer_status) == ("processing", "pending")
    log = AdminLog.objects.get(action="withdrawal.finalize")
    assert log.actor == approver
    assert (log.before, log.after) == ({"transfer_status": "otp"}, {"transfer_status": "pending"})
    # nothing left to finalize: the service's refusal is shown
    again = finance.post(url, {"otp": "123456"})
    assert "OTP can be finalized; this withdrawal is processing" in again.content.decode()
