"""Staff actions across the platform leave an audit row in the same transaction."""

import pytest
from django.contrib.auth.models import Permission

from apps.audit.models import AdminLog
from apps.campaigns.models import CampaignStatus
from apps.campaigns.services import campaign_approve, campaign_reject
from apps.core.errors import Conflict
from apps.currency.services import exchange_rate_record_manual
from apps.platform_settings.services import platform_settings_update
from apps.users.services import user_suspend
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    member = StaffFactory()
    member.user_permissions.add(Permission.objects.get(codename="review_campaign"))
    return member


def test_campaign_approval_is_audited(reviewer):
    campaign = CampaignFactory(status=CampaignStatus.PENDING_REVIEW)
    campaign_approve(campaign=campaign, actor=reviewer)
    entry = AdminLog.objects.get(action="campaign.approve")
    assert entry.actor == reviewer
    assert entry.target_id == str(campaign.pk)
    assert entry.before == {"status": "pending_review"}
    assert entry.after == {"status": "active"}


def test_a_refused_transition_leaves_no_audit_row(reviewer):
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)
    with pytest.raises(Conflict):
        campaign_reject(campaign=campaign, actor=reviewer, reason="nope")
    assert not AdminLog.objects.filter(action="campaign.reject").exists()


def test_settings_change_is_audited_with_old_and_new_values():
    admin = StaffFactory()
    platform_settings_update(actor=admin, changes={"fx_margin_bps": 175})
    entry = AdminLog.objects.get(action="settings.update")
    assert entry.after == {"fx_margin_bps": 175}
    assert entry.before["fx_margin_bps"] != 175


def test_manual_exchange_rate_and_suspension_are_audited():
    admin = StaffFactory()
    exchange_rate_record_manual(actor=admin, base="USD", quote="NGN", rate="1500.25")
    user_suspend(user=UserFactory(), actor=admin, reason="fraud")
    assert set(AdminLog.objects.values_list("action", flat=True)) == {
        "exchange_rate.record",
        "user.suspend",
    }
