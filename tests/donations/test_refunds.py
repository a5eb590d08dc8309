"""Staff refunds: POST /v1/admin/donations/<id>/refund, then refund.processed settles."""

import pytest
from django.core.management import call_command

from apps.audit.models import AdminLog
from apps.currency.services import exchange_rate_record_manual
from apps.donations.models import Donation, DonationRefund, DonorAggregate
from apps.ledger.services import ledger_post_hold
from apps.payments.models import PaystackEvent
from apps.users.tokens import tokens_for
from tests.factories import StaffFactory, UserFactory

from .conftest import assert_ledger_consistent, balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(donate, campaign):
    """A succeeded donation of NGN 5,000 (fee NGN 300 out of it) with a NGN 200 tip."""
    reference = donate(campaign, amount=500000, tip_amount=20000)["reference"]
    return Donation.objects.get(reference=reference)


@pytest.fixture
def refund(staff_api, django_capture_on_commit_callbacks):
    def ask(donation, **body):
        body.setdefault("reason", "Donor asked: paid twice by mistake")
        with django_capture_on_commit_callbacks(execute=True):
            return staff_api.post(f"/v1/admin/donations/{donation.pk}/refund", body, format="json")

    return ask


def test_a_full_refund_gives_everything_back_once_paystack_has_processed_it(
    given, refund, paystack, deliver, campaign, staff_api
):
    response = refund(given)

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["currency"], body["completes"]) == (
        "pending",
        520000,
        "NGN",
        True,
    )
    (call,) = paystack.calls("refund")
    assert b'"amount": 520000' in call.request.body or b'"amount":520000' in call.request.body
    # the campaign's share is held until Paystack says the money went back
    assert balances(campaign)["available"] == 0 and balances(campaign)["held"] == 470000
    log = AdminLog.objects.get(action="donation.refund")
    assert log.target_id == str(given.pk) and log.actor == staff_api.user
    assert log.after["amount"] == 520000

    deliver(paystack.refund_processed(paystack.refunds[-1]))

    given.refresh_from_db()
    assert (given.status, given.refunded_amount) == ("refunded", 520000)
    assert DonationRefund.objects.get().status == "processed"
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (0, 0)
    assert balances(campaign) == {"available": 0, "held": 0, "fees": 0, "tips": 0, "clearing": 0}
    assert DonorAggregate.objects.get().total == 0
    leaderboard = staff_api.get(f"/v1/campaigns/{campaign.slug}/leaderboard").json()
    assert leaderboard["results"] == []
    assert_ledger_consistent()
    call_command("ledger_check")


def test_a_partial_refund_then_the_rest(given, refund, paystack, deliver, campaign, api):
    assert refund(given, amount=100000).status_code == 202
    deliver(paystack.refund_processed(paystack.refunds[-1]))

    given.refresh_from_db()
    assert (given.status, given.refunded_amount) == ("succeeded", 100000)
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (400000, 1)
    # a partial refund comes from the campaign's share; the fee and tip stay
    assert balances(campaign) == {
        "available": 370000,
        "held": 0,
        "fees": 30000,
        "tips": 20000,
        "clearing": -420000,
    }
    assert DonorAggregate.objects.get().total == 400000
    listed = api.get(f"/v1/campaigns/{campaign.slug}/donations").json()["results"]
    assert [row["amount"] for row in listed] == [400000]  # the gift less the refund

    rest = refund(given)
    assert rest.status_code == 202
    assert rest.json()["amount"] == 420000
    deliver(paystack.refund_processed(paystack.refunds[-1]))

    given.refresh_from_db()
    assert (given.status, given.refunded_amount) == ("refunded", 520000)
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (0, 0)
    assert balances(campaign) == {"available": 0, "held": 0, "fees": 0, "tips": 0, "clearing": 0}
    call_command("ledger_check")


def test_refund_processed_twice_settles_once(given, refund, paystack, deliver, campaign):
    refund(given, amount=100000)
    processed = paystack.refund_processed(paystack.refunds[-1])

    deliver(processed)
    deliver(processed)
    deliver(paystack.refund_processed(paystack.refunds[-1], processor="visa"))

    given.refresh_from_db()
    assert given.refunded_amount == 100000
    campaign.refresh_from_db()
    assert campaign.raised_amount == 400000
    assert sorted(
        PaystackEvent.objects.filter(event_type="refund.processed").values_list(
            "outcome", flat=True
        )
    ) == ["applied", "duplicate"]
    assert_ledger_consistent()


def test_refund_processed_before_paystack_answers_the_refund_call_still_matches(
    given, paystack, deliver, campaign, staff_api, http
):
    """The sandbox (and Paystack, sometimes) sends refund.processed while our refund call
    is still waiting for its answer: it is matched by donation and amount."""
    from apps.donations.services import donation_refund

    original = paystack._refund

    def refund_then_webhook(request):
        answer = original(request)
        deliver(paystack.refund_processed(paystack.refunds[-1]))
        return answer

    http.remove("POST", "https://api.paystack.co/refund")
    http.add_callback("POST", "https://api.paystack.co/refund", callback=refund_then_webhook)

    created = donation_refund(donation=given, actor=staff_api.user, reason="duplicate payment")

    created.refresh_from_db()
    assert created.status == "processed"
    assert created.paystack_refund_id == str(paystack.refunds[-1]["id"])
    given.refresh_from_db()
    assert given.status == "refunded"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (520001, "refund_too_large"),  # more than was charged
        (470000, "refund_too_large"),  # takes the campaign's whole share: refund all instead
    ],
)
def test_refunds_beyond_what_can_be_refunded_are_refused(given, refund, paystack, amount, code):
    response = refund(given, amount=amount)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == code
    assert paystack.calls("refund") == []
    assert not DonationRefund.objects.exists()


def test_a_refund_larger_than_the_available_balance_is_refused_with_the_balance(
    given, refund, paystack, campaign
):
    ledger_post_hold(reference="withdrawal:test:held", campaign=campaign, amount=400000)

    response = refund(given, amount=100000)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_funds"
    assert "₦700.00" in error["message"]
    assert (error["available"], error["needed"], error["currency"]) == (70000, 100000, "NGN")
    assert paystack.calls("refund") == []
    assert not DonationRefund.objects.exists()
    assert not AdminLog.objects.filter(action="donation.refund").exists()


def test_a_second_refund_cannot_take_what_a_pending_one_already_claims(given, refund, paystack):
    assert refund(given).status_code == 202

    again = refund(given, amount=1000)

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "nothing_to_refund"
    assert len(paystack.calls("refund")) == 1


def test_paystack_refusing_the_refund_releases_the_hold(given, refund, paystack, campaign):
    paystack.fail["refund"] = (
        400,
        {"status": False, "message": "Transaction has been fully reversed"},
    )

    response = refund(given, amount=100000)

    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "paystack_refund_failed"
    assert "fully reversed" in error["message"]
    failed = DonationRefund.objects.get()
    assert failed.status == "failed" and "fully reversed" in failed.error
    assert balances(campaign)["available"] == 470000 and balances(campaign)["held"] == 0
    given.refresh_from_db()
    assert (given.status, given.refunded_amount) == ("succeeded", 0)
    assert_ledger_consistent()


def test_refund_processed_for_another_amount_is_flagged_not_settled(
    given, refund, paystack, deliver, campaign
):
    refund(given, amount=100000)

    deliver(paystack.refund_processed(paystack.refunds[-1], amount=99000, id=777))

    given.refresh_from_db()
    assert given.needs_review and given.refunded_amount == 0
    assert "99000" in given.review_reason
    assert DonationRefund.objects.get().status == "pending"


def test_only_a_succeeded_donation_can_be_refunded(start, refund, campaign):
    pending = Donation.objects.get(reference=start(campaign=campaign.slug).json()["reference"])

    response = refund(pending)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "donation_not_refundable"


def test_a_late_charge_success_for_a_refunded_donation_changes_nothing(
    given, refund, paystack, deliver, campaign
):
    refund(given)
    deliver(paystack.refund_processed(paystack.refunds[-1]))

    deliver(paystack.charge_success(given.reference, id=123456))

    given.refresh_from_db()
    assert given.status == "refunded"
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (0, 0)
    assert_ledger_consistent()


def test_refunding_one_of_two_donations_keeps_the_donor_counted(
    donate, refund, paystack, deliver, campaign
):
    first = donate(campaign, amount=200000, email="twice@example.com")["reference"]
    donate(campaign, amount=300000, email="twice@example.com")

    refund(Donation.objects.get(reference=first))
    deliver(paystack.refund_processed(paystack.refunds[-1]))

    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (300000, 1)
    aggregate = DonorAggregate.objects.get()
    assert (aggregate.total, aggregate.donation_count) == (300000, 1)


def test_a_cross_currency_donation_refunded_in_full_balances(
    start, refund, paystack, deliver, campaign
):
    exchange_rate_record_manual(actor=StaffFactory(), base="USD", quote="NGN", rate="1500")
    reference = start(campaign=campaign.slug, currency="USD", amount=10000, tip_amount=500).json()[
        "reference"
    ]
    paystack.pay(reference)
    deliver(paystack.charge_success(reference))
    donation = Donation.objects.get()

    response = refund(donation)
    assert response.status_code == 202
    assert (response.json()["amount"], response.json()["currency"]) == (10500, "USD")
    deliver(paystack.refund_processed(paystack.refunds[-1]))

    donation.refresh_from_db()
    assert donation.status == "refunded"
    campaign.refresh_from_db()
    assert campaign.raised_amount == 0
    assert balances(campaign)["available"] == 0
    call_command("ledger_check")


def test_refunds_need_the_refund_permission(given, db):
    from rest_framework.test import APIClient

    def client(user, second_factor=True):
        api = APIClient()
        api.credentials(
            HTTP_AUTHORIZATION=f"Bearer {tokens_for(user, second_factor=second_factor)['access']}"
        )
        return api

    url = f"/v1/admin/donations/{given.pk}/refund"
    body = {"reason": "because"}
    assert client(StaffFactory()).post(url, body, format="json").status_code == 403
    assert client(UserFactory()).post(url, body, format="json").status_code == 403
    assert APIClient().post(url, body, format="json").status_code == 401
    assert not DonationRefund.objects.exists()


def test_the_refund_input_is_strict(given, refund):
    assert refund(given, amount="100").status_code == 400
    assert refund(given, amount=0).status_code == 400
    assert refund(given, reason="").status_code == 400
    assert refund(given, reason="x", colour="red").status_code == 400
    assert not DonationRefund.objects.exists()
