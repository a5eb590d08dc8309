"""Many donations of ONE campaign settling at once (a viral campaign), on PostgreSQL with
real threads: the settlements waiting in a process are credited in batches
(apps/donations/services/settlement.py), and the campaign shows exactly what the
donations add up to: raised amount, donor count, leaderboard, ledger."""

from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.test import Client

from apps.donations.models import Donation, DonorAggregate
from apps.donations.services import donation_settle_charge
from apps.donations.services.settlement import _Pending, _settle_batch
from apps.ledger.models import LedgerTransaction
from apps.payments.paystack import get_paystack_client
from tests.concurrency import run_in_threads

from .conftest import balances

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 36


@pytest.fixture
def paid_many(start, paystack, campaign):
    """COUNT paid donations of one campaign: 12 donors giving 1 to 4 times under their
    name, and every ninth gift anonymous; amounts all different."""
    donations = []
    for i in range(COUNT):
        k = i % 12
        response = start(
            campaign=campaign.slug,
            amount=100000 + 1000 * i,
            tip_amount=500 * (i % 3),
            email=f"donor{k}@example.com",
            name=f"Donor {k}",
            anonymous=i % 9 == 4,
        )
        assert response.status_code == 201, response.content
        reference = response.json()["reference"]
        paystack.pay(reference)
        donations.append(Donation.objects.get(reference=reference))
    return donations


def _pending(donations):
    return [_Pending(donation=d, verification=v, source="webhook") for d, v in _verified(donations)]


def _verified(donations):
    client = get_paystack_client()
    return [(d, client.verify_transaction(d.reference)) for d in donations]


def _expected(donations):
    raised = sum(d.gift_campaign for d in donations)
    donors = len({d.email for d in donations})
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in donations:
        name = "Anonymous" if d.anonymous else d.name
        key = f"anonymous:{d.pk}" if d.anonymous else d.email
        rows[key][0] += d.gift_campaign
        rows[key][1] += 1
        rows[key].append(name)  # type: ignore[arg-type]
    leaderboard = sorted(
        ((values[2], values[0], values[1]) for values in rows.values()), key=lambda r: -r[1]
    )
    return raised, donors, leaderboard


def _leaderboard(campaign):
    response = Client().get(f"/v1/campaigns/{campaign.slug}/leaderboard?limit=100")
    assert response.status_code == 200
    return [(r["name"], r["total"], r["donation_count"]) for r in response.json()["results"]]


def assert_exact(campaign, donations):
    raised, donors, leaderboard = _expected(donations)
    campaign.refresh_from_db()
    assert (campaign.raised_amount, campaign.donor_count) == (raised, donors)
    assert sorted(_leaderboard(campaign), key=lambda r: (-r[1], r[0])) == sorted(
        leaderboard, key=lambda r: (-r[1], r[0])
    )
    assert Donation.objects.filter(campaign=campaign, status="succeeded").count() == len(donations)
    references = [f"donation:{d.pk}:succeeded" for d in donations]
    assert LedgerTransaction.objects.filter(reference__in=references).count() == len(donations)
    charged = sum(d.charged_amount for d in donations)
    assert balances(campaign)["clearing"] == -charged
    assert balances(campaign)["available"] == sum(d.net_campaign for d in donations)
    call_command("ledger_check")


def test_many_donations_of_one_campaign_settling_at_once_add_up_exactly(paid_many, campaign):
    verified = _verified(paid_many)

    outcomes, errors = run_in_threads(
        len(verified),
        lambda i: donation_settle_charge(
            donation=verified[i][0], verification=verified[i][1], source="webhook"
        ),
    )

    assert errors == []
    assert Counter(outcomes) == {"applied": COUNT}
    assert_exact(campaign, paid_many)
    # Each settled donation says so once on its timeline.
    for donation in paid_many:
        assert list(donation.events.filter(type="succeeded").values_list("source", flat=True)) == [
            "webhook"
        ]


def test_every_donation_delivered_twice_at_once_is_credited_once(paid_many, campaign):
    verified = _verified(paid_many) * 2

    outcomes, errors = run_in_threads(
        len(verified),
        lambda i: donation_settle_charge(
            donation=verified[i][0], verification=verified[i][1], source="webhook"
        ),
    )

    assert errors == []
    assert Counter(outcomes) == {"applied": COUNT, "duplicate": COUNT}
    assert_exact(campaign, paid_many)


def test_one_batch_settles_many_donations_of_one_campaign_as_one_at_a_time_would(
    paid_many, campaign
):
    """The same donations credited in one batch (twice over: the second copy of each is
    a duplicate) and one at a time elsewhere give the same campaign."""
    items, again = _pending(paid_many), _pending(paid_many)

    _settle_batch(items + again)

    assert [item.result() for item in items] == ["applied"] * COUNT
    assert [item.result() for item in again] == ["duplicate"] * COUNT
    assert_exact(campaign, paid_many)
    # The per-donor rows: one per named donor, one per anonymous gift.
    assert DonorAggregate.objects.filter(campaign=campaign).count() == len(_expected(paid_many)[2])


def test_a_batch_with_a_donation_the_ledger_refuses_credits_the_others(paid_many, campaign):
    bad = paid_many[5]
    # A stored donation whose amounts do not add up (net neither gift nor gift - fee):
    # the ledger refuses its posting.
    Donation.objects.filter(pk=bad.pk).update(net_campaign=bad.net_campaign - 1)
    bad.refresh_from_db()
    items = _pending(paid_many)

    _settle_batch(items)

    failed = [item for item in items if item.error is not None]
    assert [item.donation.pk for item in failed] == [bad.pk]
    assert all(item.result() == "applied" for item in items if item.error is None)
    bad.refresh_from_db()
    assert bad.status == "pending"
    assert_exact(campaign, [d for d in paid_many if d.pk != bad.pk])
