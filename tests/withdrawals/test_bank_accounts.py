"""Banks, account resolution and the organiser's payout accounts."""

import pytest

from apps.withdrawals.models import BankAccount
from tests.factories import UserFactory

from .conftest import ACCOUNT, client_for

pytestmark = pytest.mark.django_db


def test_an_account_is_resolved_registered_with_paystack_and_shown_masked(owner_api, transfers):
    response = owner_api.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": ACCOUNT}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account_number"] == "******6789"
    assert (body["account_name"], body["bank_code"], body["bank_name"]) == (
        "ADA OBI",
        "044",
        "Access Bank",
    )
    (sent,) = transfers.calls("/transferrecipient")
    assert b'"type": "nuban"' in sent.request.body or b'"type":"nuban"' in sent.request.body
    stored = BankAccount.objects.get()
    assert stored.recipient_code == transfers.recipients[0]["recipient_code"]
    assert ACCOUNT not in str(BankAccount.objects.values().get())  # never stored in full
    assert owner_api.get("/v1/bank-accounts").json()[0]["account_number"] == "******6789"


@pytest.mark.parametrize("number", ["12345", "01234567890", "01234abc89", ""])
def test_a_nigerian_account_number_is_ten_digits(owner_api, transfers, number):
    response = owner_api.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": number}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_account_number", "validation_error"}
    assert transfers.calls("/transferrecipient") == []


def test_an_account_paystack_cannot_resolve_is_refused_with_its_reason(owner_api, transfers):
    response = owner_api.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": "0000000001"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "account_unresolvable"
    assert "Could not resolve account name" in error["message"]
    assert BankAccount.objects.count() == 0


def test_the_same_account_twice_is_refused_and_removing_one_frees_it(owner_api, bank_account):
    again = owner_api.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": ACCOUNT}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "bank_account_exists"

    assert owner_api.delete(f"/v1/bank-accounts/{bank_account['id']}").status_code == 204
    assert owner_api.get("/v1/bank-accounts").json() == []
    added = owner_api.post(
        "/v1/bank-accounts", {"bank_code": "044", "account_number": ACCOUNT}, format="json"
    )
    assert added.status_code == 201


def test_nobody_sees_or_removes_anothers_account(bank_account, transfers):
    other = client_for(UserFactory())
    assert other.get("/v1/bank-accounts").json() == []
    response = other.delete(f"/v1/bank-accounts/{bank_account['id']}")
    assert response.status_code == 404
    assert BankAccount.objects.get().is_active


def test_banks_are_listed_from_paystack_and_cached_for_a_day(owner_api, transfers):
    first = owner_api.get("/v1/banks?currency=NGN")
    second = owner_api.get("/v1/banks")

    assert first.status_code == 200
    assert first.json() == second.json()
    assert {"name", "code", "slug", "currency"} <= set(first.json()[0])
    assert len(transfers.calls("/bank", method="GET")) == 1


def test_resolve_answers_the_name_and_a_masked_number(owner_api, transfers):
    response = owner_api.get(f"/v1/banks/resolve?account_number={ACCOUNT}&bank_code=044")
    assert response.status_code == 200
    assert response.json() == {
        "account_number": "******6789",
        "bank_code": "044",
        "account_name": "ADA OBI",
    }


def test_banks_need_an_account(api, transfers):
    assert api.get("/v1/banks").status_code == 401
    assert api.post("/v1/bank-accounts", {}, format="json").status_code == 401
