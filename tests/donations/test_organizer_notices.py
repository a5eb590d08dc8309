"""The organiser hears of new donations in coalesced notices (issue 15): one notice names
how many donations and how much since the last, and every credited donation is counted
in exactly one notice, whatever runs at the same time."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.currency.money import format_money
from apps.donations.models import Donation
from apps.donations.services import donation_settle_charge
from apps.donations.services.organizer_notice import (
    donations_organizer_notice,
    organizer_notices_sweep,
)
from apps.donations.services.settlement import _Pending, _settle_batch
from apps.donations.tasks import send_organizer_notice
from apps.notifications.models import Notification
from apps.payments.paystack import get_paystack_client
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 12


@pytest.fixture
def paid(start, paystack, campaign):
    donations = []
    for i in range(COUNT):
        response = start(
            campaign=campaign.slug,
            amount=100000 + 1000 * i,
            email=f"donor{i % 5}@example.com",
            name=f"Donor {i % 5}",
        )
        assert response.status_code == 201, response.content
        reference = response.json()["reference"]
        paystack.pay(reference)
        donations.append(Donation.objects.get(reference=reference))
    return donations


def _verified(donations):
    client = get_paystack_client()
    return [(d, client.verify_transaction(d.reference)) for d in donations]


def _notices(campaign):
    return Notification.objects.filter(
        template__in=["donation_received", "donations_received"],
        recipient=campaign.organizer.email,
    )


def _counted(notices):
    """(donations, total in minor units) the notices name."""
    count = total = 0
    for notice in notices:
        if notice.template == "donation_received":
            count, total = count + 1, total + notice.context["gift"]
        else:
            count, total = count + notice.context["count"], total + notice.context["total"]
    return count, total


def test_a_burst_of_donations_gives_the_organiser_one_notice_with_count_and_total(paid, campaign):
    _settle_batch(
        [_Pending(donation=d, verification=v, source="webhook") for d, v in _verified(paid)]
    )
    assert not _notices(campaign).exists()

    assert send_organizer_notice(str(campaign.pk)) == COUNT

    (notice,) = _notices(campaign)
    total = sum(d.gift_campaign for d in Donation.objects.filter(pk__in=[d.pk for d in paid]))
    assert notice.template == "donations_received"
    assert (notice.context["count"], notice.context["total"]) == (COUNT, total)
    assert notice.context["total_display"] == format_money(total, "NGN")
    (email,) = [m for m in mail.outbox if m.to == [campaign.organizer.email]]
    assert f"{COUNT} new donations ({format_money(total, 'NGN')})" in email.subject
    # Told once: running again (a redelivered task) tells nothing more.
    assert send_organizer_notice(str(campaign.pk)) == 0
    assert _notices(campaign).count() == 1


def test_one_donation_gives_the_familiar_single_notice_and_a_receipt(paid, campaign):
    donation, verification = _verified(paid[:1])[0]

    assert (
        donation_settle_charge(donation=donation, verification=verification, source="webhook")
        == "applied"
    )
    assert (
        donation_settle_charge(donation=donation, verification=verification, source="webhook")
        == "duplicate"
    )

    (notice,) = _notices(campaign)
    assert notice.template == "donation_received"
    assert notice.context["donor_name"] == "Donor 0"
    assert notice.context["gift"] == Donation.objects.get(pk=donation.pk).gift_campaign
    receipts = Notification.objects.filter(template="donation_receipt")
    assert list(receipts.values_list("recipient", flat=True)) == [donation.email]


def test_notices_racing_settlements_count_every_donation_exactly_once(paid, campaign):
    verified = _verified(paid)

    def work(i):
        if i < COUNT:
            return donation_settle_charge(
                donation=verified[i][0], verification=verified[i][1], source="webhook"
            )
        for _ in range(5):
            donations_organizer_notice(campaign_id=campaign.pk)
        return "notice"

    outcomes, errors = run_in_threads(COUNT + 4, work)
    assert errors == []
    donations_organizer_notice(campaign_id=campaign.pk)  # whatever the racers left

    assert sorted(outcomes).count("applied") == COUNT
    expected_total = sum(
        Donation.objects.filter(pk__in=[d.pk for d in paid]).values_list("gift_campaign", flat=True)
    )
    assert _counted(_notices(campaign)) == (COUNT, expected_total)
    assert not Donation.objects.filter(organizer_notice_pending=True).exists()


def test_donations_a_lost_task_left_untold_are_told_by_the_sweep(paid, campaign):
    _settle_batch(
        [_Pending(donation=d, verification=v, source="webhook") for d, v in _verified(paid[:3])]
    )
    assert organizer_notices_sweep() == 0  # too recent: their own task is on its way

    Donation.objects.filter(pk__in=[d.pk for d in paid[:3]]).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )

    assert organizer_notices_sweep() == 1
    (notice,) = _notices(campaign)
    assert notice.context["count"] == 3
    assert organizer_notices_sweep() == 0
