"""Idempotency-Key on POST /v1/donations/initialize."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.idempotency import idempotency_keys_purge
from apps.core.models import IdempotencyKey
from apps.donations.models import Donation

pytestmark = pytest.mark.django_db


def key(value):
    return {"HTTP_IDEMPOTENCY_KEY": value}


def test_the_same_key_and_body_answer_the_first_answer(start, paystack, campaign):
    first = start(campaign=campaign.slug, headers=key("k-1"))
    again = start(campaign=campaign.slug, headers=key("k-1"))

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Donation.objects.count() == 1
    assert len(paystack.calls("initialize")) == 1


def test_the_same_key_with_another_body_is_a_conflict(start, paystack, campaign):
    start(campaign=campaign.slug, amount=500000, headers=key("k-2"))

    response = start(campaign=campaign.slug, amount=600000, headers=key("k-2"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Donation.objects.count() == 1


def test_without_a_key_each_request_is_a_new_donation(start, campaign):
    start(campaign=campaign.slug)
    start(campaign=campaign.slug)

    assert Donation.objects.count() == 2


def test_other_keys_make_other_donations(start, campaign):
    a = start(campaign=campaign.slug, headers=key("k-a"))
    b = start(campaign=campaign.slug, headers=key("k-b"))

    assert a.json()["reference"] != b.json()["reference"]


def test_a_failed_request_frees_its_key_for_a_retry(start, paystack, campaign):
    paystack.fail["initialize"] = (503, {"status": False, "message": "down"})
    failed = start(campaign=campaign.slug, headers=key("k-3"))
    assert failed.status_code == 502

    del paystack.fail["initialize"]
    retried = start(campaign=campaign.slug, headers=key("k-3"))

    assert retried.status_code == 201
    assert Donation.objects.filter(status="pending").count() == 1
    assert Donation.objects.filter(status="failed").count() == 1


def test_bad_input_does_not_keep_the_key(start, campaign):
    assert start(campaign=campaign.slug, amount=1, headers=key("k-4")).status_code == 400

    assert start(campaign=campaign.slug, amount=500000, headers=key("k-4")).status_code == 201


def test_a_key_still_running_is_refused_then_taken_over_once_its_lease_ends(start, campaign):
    from apps.core.idempotency import idempotency_request_hash

    body = {
        "campaign": campaign.slug,
        "amount": 500000,
        "currency": "NGN",
        "email": "ada@example.com",
        "name": "Ada Obi",
    }
    stuck = IdempotencyKey.objects.create(
        scope="donations.initialize",
        key="k-5",
        request_hash=idempotency_request_hash(data=body),
        locked_until=timezone.now() + timedelta(seconds=60),
    )

    busy = start(campaign=campaign.slug, headers=key("k-5"))
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_key_in_progress"

    IdempotencyKey.objects.filter(pk=stuck.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert start(campaign=campaign.slug, headers=key("k-5")).status_code == 201


def test_the_key_is_bound_to_the_signed_in_user(start, auth_api, campaign):
    assert start(client=auth_api, campaign=campaign.slug, headers=key("k-6")).status_code == 201

    anonymous = start(campaign=campaign.slug, headers=key("k-6"))

    assert anonymous.status_code == 409


@pytest.mark.parametrize("value", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_key_is_refused(start, campaign, value):
    response = start(campaign=campaign.slug, headers=key(value))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Donation.objects.exists()


def test_old_keys_are_purged(start, campaign):
    start(campaign=campaign.slug, headers=key("k-old"))
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    start(campaign=campaign.slug, headers=key("k-new"))

    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-new"]
