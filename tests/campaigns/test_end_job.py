"""The scheduled job that ends campaigns past their end date tells their organisers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.campaigns.tasks import end_expired_campaigns
from apps.notifications.models import Notification
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_ended_campaigns_organisers_are_emailed_once(django_capture_on_commit_callbacks):
    organizer = UserFactory(first_name="Ada", phone="+2348031234567", phone_verified=True)
    expired = CampaignFactory(
        organizer=organizer,
        status="active",
        currency_id="NGN",
        goal_amount=10_000_000,
        end_date=timezone.localdate() - timedelta(days=1),
    )
    CampaignFactory(status="active", end_date=timezone.localdate())  # ends tomorrow

    with django_capture_on_commit_callbacks(execute=True):
        assert end_expired_campaigns.delay().get() == 1
        assert end_expired_campaigns.delay().get() == 0

    [email] = mail.outbox
    assert email.to == [organizer.email]
    assert email.subject == f"Your campaign has ended: {expired.title}"
    assert "Hi Ada," in email.body and expired.slug in email.body
    sms = Notification.objects.get(channel="sms")
    assert (sms.recipient, sms.template) == ("+2348031234567", "campaign_ended")
