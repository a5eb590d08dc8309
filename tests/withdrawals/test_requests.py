"""Withdrawal requests: every rule named, the funds held in the same transaction."""

import pytest

from apps.platform_settings.services import campaign_withdrawal_cap_set
from apps.withdrawals.models import Withdrawal, WithdrawalEvent
from tests.factories import ActiveCampaignFactory, StaffFactory, UserFactory

from .conftest import assert_books_clean, balances, client_for, fund

pytestmark = pytest.mark.django_db


def test_a_request_holds_the_amount_and_starts_a_timeline(request_withdrawal, campaign):
    response = request_withdrawal(2_000_000)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["currency"]) == ("requested", 2_000_000, "NGN")
    assert 16 <= len(body["reference"]) <= 50
    assert body["reference"] == body["reference"].lower()
    assert body["bank_account"]["account_number"] == "******6789"
    assert [e["type"] for e in body["timeline"]] == ["requested"]
    assert balances(campaign) == {"available": 8_000_000, "held": 2_000_000}
    assert_books_clean()


def test_below_the_minimum_is_refused_saying_it(request_withdrawal, campaign):
    response = request_withdrawal(99_999)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "amount_too_small"
    assert "100000" in error["message"]
    assert Withdrawal.objects.count() == 0


def test_above_the_cap_is_refused_saying_the_cap_and_a_campaign_cap_wins(
    request_withdrawal, campaign
):
    fund(campaign, 600_000_000)
    response = request_withdrawal(500_000_001)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "amount_above_cap"
    assert "500000000" in response.json()["error"]["message"]

    staff = StaffFactory(is_superuser=True)
    campaign_withdrawal_cap_set(actor=staff, campaign_id=campaign.pk, amount=1_000_000)
    refused = request_withdrawal(1_000_001)
    assert refused.json()["error"]["code"] == "amount_above_cap"
    assert "1000000" in refused.json()["error"]["message"]
    assert request_withdrawal(1_000_000).status_code == 201


def test_above_the_available_balance_is_refused_saying_it(request_withdrawal, campaign):
    assert request_withdrawal(6_000_000).status_code == 201
    response = request_withdrawal(4_000_001)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_funds"
    assert "4000000" in error["message"]
    assert balances(campaign) == {"available": 4_000_000, "held": 6_000_000}


@pytest.mark.parametrize("status", ["suspended", "draft", "pending_review", "rejected"])
def test_only_an_active_ended_or_closed_campaign_pays_out(request_withdrawal, campaign, status):
    type(campaign).objects.filter(pk=campaign.pk).update(status=status)
    response = request_withdrawal()
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "campaign_not_withdrawable"
    assert status in response.json()["error"]["message"]


@pytest.mark.parametrize("status", ["ended", "closed"])
def test_an_ended_or_closed_campaign_still_pays_out(request_withdrawal, campaign, status):
    type(campaign).objects.filter(pk=campaign.pk).update(status=status)
    assert request_withdrawal().status_code == 201


def test_only_the_organiser_withdraws(request_withdrawal, transfers):
    stranger = client_for(UserFactory())
    response = request_withdrawal(client=stranger)
    assert response.status_code in (403, 404)
    assert response.json()["error"]["code"] in {"not_organizer", "bank_account_not_found"}

    # even with a bank account of their own
    stranger.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": "0123456789"}, format="json"
    )
    account = stranger.get("/v1/bank-accounts").json()[0]["id"]
    response = request_withdrawal(client=stranger, bank_account=account)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_organizer"


def test_the_bank_account_must_be_yours(request_withdrawal, organizer, transfers):
    other = client_for(UserFactory())
    other.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": "0123456789"}, format="json"
    )
    theirs = other.get("/v1/bank-accounts").json()[0]["id"]
    response = request_withdrawal(bank_account=theirs)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "bank_account_not_found"
    assert response.json()["error"]["fields"] == {
        "bank_account": ["No bank account of yours has this id."]
    }


@pytest.mark.parametrize("amount", ["2000000", 2000000.5, True, -5, 0])
def test_an_amount_is_a_positive_whole_number(request_withdrawal, amount):
    response = request_withdrawal(amount)
    assert response.status_code == 400
    assert Withdrawal.objects.count() == 0


def test_unknown_fields_are_named_and_refused(request_withdrawal):
    response = request_withdrawal(status="approved")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_an_idempotency_key_makes_a_retry_safe(owner_api, campaign, bank_account):
    body = {"campaign": campaign.slug, "amount": 2_000_000, "bank_account": bank_account["id"]}
    first = owner_api.post("/v1/withdrawal", body, format="json", HTTP_IDEMPOTENCY_KEY="wd-1")
    again = owner_api.post("/v1/withdrawal", body, format="json", HTTP_IDEMPOTENCY_KEY="wd-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Withdrawal.objects.count() == 1
    assert balances(campaign)["held"] == 2_000_000


def test_cancel_releases_the_hold_once(request_withdrawal, owner_api, campaign):
    withdrawal = request_withdrawal(3_000_000).json()

    response = owner_api.post(f"/v1/withdrawal/{withdrawal['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert [e["type"] for e in response.json()["timeline"]] == ["requested", "cancelled"]
    again = owner_api.post(f"/v1/withdrawal/{withdrawal['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "withdrawal_not_cancellable"
    assert balances(campaign) == {"available": 10_000_000, "held": 0}
    assert_books_clean()


def test_nobody_else_cancels_or_sees_a_withdrawal(request_withdrawal):
    withdrawal = request_withdrawal().json()
    other = client_for(UserFactory())
    assert other.post(f"/v1/withdrawal/{withdrawal['id']}/cancel").status_code == 404
    assert other.get(f"/v1/withdrawal/{withdrawal['id']}").status_code == 404
    assert other.get("/v1/withdrawal").json()["count"] == 0


def test_the_list_shows_own_requests_with_their_timelines(request_withdrawal, owner_api):
    request_withdrawal(1_000_000)
    request_withdrawal(2_000_000)
    listed = owner_api.get("/v1/withdrawal").json()
    assert listed["count"] == 2
    assert [w["amount"] for w in listed["results"]] == [2_000_000, 1_000_000]
    assert all(w["timeline"][0]["type"] == "requested" for w in listed["results"])
    assert WithdrawalEvent.objects.count() == 2


def test_the_organiser_sees_raised_held_paid_out_and_available(
    request_withdrawal, owner_api, campaign
):
    request_withdrawal(3_000_000)
    mine = owner_api.get("/v1/campaigns/mine").json()["results"]
    (row,) = [c for c in mine if c["id"] == str(campaign.pk)]
    assert row["money"] == {
        "raised": 10_000_000,
        "held": 3_000_000,
        "paid_out": 0,
        "available": 7_000_000,
    }
    detail = owner_api.get(f"/v1/campaigns/{campaign.slug}")
    assert detail.json()["money"]["held"] == 3_000_000, detail.json()


def test_the_public_never_sees_the_money_breakdown(api, campaign):
    body = api.get(f"/v1/campaigns/{campaign.slug}").json()
    assert "money" not in body


def test_a_campaign_of_another_currency_needs_an_account_in_it(
    owner_api, organizer, bank_account, transfers
):
    ghs = ActiveCampaignFactory(organizer=organizer, currency_id="GHS")
    fund(ghs, 1_000_000)
    response = owner_api.post(
        "/v1/withdrawal",
        {"campaign": str(ghs.pk), "amount": 100_000, "bank_account": bank_account["id"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bank_account_currency_mismatch"
