"""Issue 13: knowing a donor's email must not let anyone rename their leaderboard entry."""

import pytest
from rest_framework.test import APIClient

from apps.donations.models import Donation, DonorAggregate
from apps.users.tokens import tokens_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def board(api, campaign) -> list[tuple[str, int, int]]:
    results = api.get(f"/v1/campaigns/{campaign.slug}/leaderboard").json()["results"]
    return [(row["name"], row["total"], row["donation_count"]) for row in results]


def signed_in(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    return client


def test_a_small_gift_under_someone_elses_email_does_not_rename_their_entry(api, donate, campaign):
    donate(campaign, amount=5_000_000, email="ada@example.com", name="Ada Obi")
    # The attack: NGN 100 under Ada's email with another name.
    donate(campaign, amount=10000, email="ADA@example.com", name="Ada is a fraud")

    assert board(api, campaign) == [("Ada Obi", 5_000_000, 1), ("Ada is a fraud", 10000, 1)]


def test_the_same_name_again_adds_to_the_entry(api, donate, campaign):
    donate(campaign, amount=300000, email="ada@example.com", name="Ada Obi")
    donate(campaign, amount=200000, email="ada@example.com", name="  ada  obi ")
    donate(campaign, amount=100000, email="ada@example.com", name="")

    assert board(api, campaign) == [("Ada Obi", 600000, 3)]


def test_the_owner_signed_in_with_a_verified_email_may_rename_it(api, donate, campaign):
    ada = UserFactory(email="ada@example.com", email_verified=True)
    donate(campaign, amount=300000, email="ada@example.com", name="Ada Obi")
    donate(campaign, amount=200000, email="ada@example.com", name="Ada O.", client=signed_in(ada))

    assert board(api, campaign) == [("Ada O.", 500000, 2)]


def test_an_unverified_account_with_that_email_may_not(api, donate, campaign):
    squatter = UserFactory(email="ada@example.com", email_verified=False)
    donate(campaign, amount=300000, email="ada@example.com", name="Ada Obi")
    donate(
        campaign, amount=10000, email="ada@example.com", name="Renamed", client=signed_in(squatter)
    )

    assert board(api, campaign) == [("Ada Obi", 300000, 1), ("Renamed", 10000, 1)]


def test_a_refund_of_the_separate_entry_comes_off_that_entry(
    api, donate, campaign, staff_api, paystack, deliver, django_capture_on_commit_callbacks
):
    donate(campaign, amount=300000, email="ada@example.com", name="Ada Obi")
    reference = donate(campaign, amount=10000, email="ada@example.com", name="Other")["reference"]
    spoof = Donation.objects.get(reference=reference)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            f"/v1/admin/donations/{spoof.pk}/refund", {"reason": "spoof"}, format="json"
        )
    assert response.status_code == 202, response.content
    deliver(paystack.refund_processed(paystack.refunds[-1]))

    assert board(api, campaign) == [("Ada Obi", 300000, 1)]
    assert DonorAggregate.objects.get(donor_key=f"separate:{spoof.pk}").total == 0
