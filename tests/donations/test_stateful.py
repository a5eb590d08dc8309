"""Random sequences of donations and refunds through the services, Paystack faked at the
HTTP layer; the money invariants are checked after every step.

Steps: initialize a donation, pay and settle it (charge.success, verified at the fake
Paystack), deliver the settlement again, decline a pending one, request a partial or a
full refund (Paystack accepting or refusing it), settle a refund (refund.processed), and
settle it again. After each: the ledger verifies clean, raised_amount is the gifts of
succeeded donations less what was refunded of them, no balance is below zero, and
donor_count is the number of distinct donors with a succeeded donation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Sum
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from apps.campaigns.models import Campaign
from apps.core.errors import Conflict, UpstreamError
from apps.donations.models import Donation, DonationRefund
from apps.donations.services import (
    donation_apply_charge_failed,
    donation_apply_charge_success,
    donation_initialize,
    donation_refund,
    donation_refund_settle,
)
from apps.ledger.selectors import campaign_balances, ledger_verify
from apps.ledger.services import InsufficientFunds
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.factories import StaffFactory
from tests.hypothesis_profiles import stateful_settings
from tests.ledger.conftest import fire_deferred_checks

from .conftest import FakePaystack

pytestmark = pytest.mark.django_db

DONORS = ["ada@example.com", "bayo@example.com", "chi@example.com"]
gifts = st.integers(min_value=100_000, max_value=5_000_000)  # NGN 1,000 to 50,000
tips = st.integers(min_value=0, max_value=50_000)


@dataclass
class Gift:
    """What the machine expects of one donation."""

    reference: str
    email: str
    gift: int
    charged: int  # gift + tip (+ fee when covered): what refunds add up to
    status: str = "pending"
    refunded_amount: int = 0  # of processed refunds, donation currency
    refunded_gift: int = 0  # of processed refunds
    reserved_gift: int = 0  # of pending refunds
    refunds: list[str] = field(default_factory=list)  # pending refund ids

    @property
    def raised(self) -> int:
        return self.gift - self.refunded_gift if self.status == "succeeded" else 0


class DonationMachine(RuleBasedStateMachine):
    paystack: FakePaystack  # set by the test: the fake for this test's HTTP mock
    staff = None

    def __init__(self) -> None:
        super().__init__()
        # Each run works under a savepoint that teardown rolls back, so runs start
        # empty. A bare savepoint, not an atomic block: the services' durable atomic
        # blocks may only nest in the test's own transaction.
        self._savepoint = transaction.savepoint()
        self.gifts: list[Gift] = []
        self.processed: list[tuple[str, Gift]] = []  # settled refund ids

    @initialize()
    def campaign_taking_donations(self) -> None:
        self.campaign = CampaignFactory(currency_id="NGN")

    def teardown(self) -> None:
        transaction.savepoint_rollback(self._savepoint)
        self.paystack.fail.clear()

    def _with(self, status: str) -> list[Gift]:
        return [gift for gift in self.gifts if gift.status == status]

    def _succeeded(self) -> bool:
        return bool(self._with("succeeded"))

    # --- donations ----------------------------------------------------------------------

    @rule(gift=gifts, tip=tips, cover_fee=st.booleans(), donor=st.sampled_from(DONORS))
    def initialize(self, gift, tip, cover_fee, donor):
        donation = donation_initialize(
            campaign=self.campaign.slug,
            amount=gift,
            currency="NGN",
            email=donor,
            name="A donor",
            tip_amount=tip,
            cover_fee=cover_fee,
        )
        assert donation.status == "pending"
        self.gifts.append(
            Gift(
                reference=donation.reference,
                email=donor,
                gift=gift,
                charged=donation.charged_amount,
            )
        )

    @precondition(lambda self: self._with("pending"))
    @rule(data=st.data())
    def pay_and_settle(self, data):
        gift = data.draw(st.sampled_from(self._with("pending")))
        self.paystack.pay(gift.reference)
        charge = self.paystack.charge_success(gift.reference)["data"]
        assert donation_apply_charge_success(reference=gift.reference, data=charge) == "applied"
        gift.status = "succeeded"

    @precondition(lambda self: self._with("pending"))
    @rule(data=st.data())
    def decline(self, data):
        gift = data.draw(st.sampled_from(self._with("pending")))
        self.paystack.decline(gift.reference)
        failed = {"status": "failed", "gateway_response": "Declined"}
        assert donation_apply_charge_failed(reference=gift.reference, data=failed) == "applied"
        gift.status = "failed"

    @precondition(lambda self: any(g.status in ("succeeded", "refunded") for g in self.gifts))
    @rule(data=st.data())
    def settle_again(self, data):
        """charge.success delivered again (a retried webhook): nothing changes."""
        done = [g for g in self.gifts if g.status in ("succeeded", "refunded")]
        gift = data.draw(st.sampled_from(done))
        charge = self.paystack.charge_success(gift.reference)["data"]
        assert donation_apply_charge_success(reference=gift.reference, data=charge) == ("duplicate")

    # --- refunds ------------------------------------------------------------------------

    def _refund(self, gift: Gift, amount: int | None):
        donation = Donation.objects.get(reference=gift.reference)
        return donation_refund(
            donation=donation, actor=self.staff, amount=amount, reason="Donor asked"
        )

    @precondition(_succeeded)
    @rule(data=st.data(), share=st.integers(min_value=1, max_value=99), full=st.booleans())
    def request_refund(self, data, share, full):
        gift = data.draw(st.sampled_from(self._with("succeeded")))
        left = gift.gift - gift.refunded_gift - gift.reserved_gift
        amount = None if full else max(1, left * share // 100)
        try:
            refund = self._refund(gift, amount)
        except (Conflict, InsufficientFunds):
            # Refused (nothing left, or a partial refund that would take all the share):
            # no refund row is left pending for it.
            return
        assert refund.status == "pending"
        if amount is None:
            assert refund.completes
            assert refund.gift_part == left
        else:
            assert not refund.completes
            assert refund.gift_part == amount
        gift.reserved_gift += refund.gift_part
        gift.refunds.append(str(refund.pk))

    @precondition(_succeeded)
    @rule(data=st.data(), full=st.booleans())
    def refund_refused_by_paystack(self, data, full):
        gift = data.draw(st.sampled_from(self._with("succeeded")))
        left = gift.gift - gift.refunded_gift - gift.reserved_gift
        before = set(DonationRefund.objects.values_list("pk", flat=True))
        self.paystack.fail["refund"] = (400, {"status": False, "message": "Refund refused"})
        try:
            self._refund(gift, None if full else max(1, left // 3))
        except UpstreamError:
            (failed,) = DonationRefund.objects.exclude(pk__in=before)
            assert failed.status == "failed"
        except (Conflict, InsufficientFunds):
            assert not DonationRefund.objects.exclude(pk__in=before).exists()
        else:
            raise AssertionError("a refund Paystack refused was accepted")
        finally:
            self.paystack.fail.pop("refund", None)

    @precondition(lambda self: any(g.refunds for g in self.gifts))
    @rule(data=st.data())
    def refund_processed(self, data):
        gift = data.draw(st.sampled_from([g for g in self.gifts if g.refunds]))
        refund_id = data.draw(st.sampled_from(gift.refunds))
        refund = DonationRefund.objects.get(pk=refund_id)
        outcome = donation_refund_settle(
            reference=gift.reference,
            paystack_refund_id=refund.paystack_refund_id,
            amount=refund.amount,
            currency="ngn",
        )
        assert outcome == "applied"
        gift.refunds.remove(refund_id)
        gift.reserved_gift -= refund.gift_part
        gift.refunded_gift += refund.gift_part
        gift.refunded_amount += refund.amount
        # Refunded once everything charged went back, whichever refund settled last (a
        # full refund may settle before an earlier partial one).
        if gift.refunded_amount >= gift.charged:
            assert gift.refunded_amount == gift.charged
            assert gift.refunded_gift == gift.gift
            gift.status = "refunded"
        self.processed.append((refund_id, gift))

    @precondition(lambda self: self.processed)
    @rule(data=st.data())
    def refund_processed_again(self, data):
        refund_id, gift = data.draw(st.sampled_from(self.processed))
        refund = DonationRefund.objects.get(pk=refund_id)
        outcome = donation_refund_settle(
            reference=gift.reference,
            paystack_refund_id=refund.paystack_refund_id,
            amount=refund.amount,
            currency="NGN",
        )
        assert outcome == "duplicate"

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def ledger_is_clean(self):
        fire_deferred_checks()
        assert ledger_verify().problems == []

    @invariant()
    def raised_is_the_succeeded_gifts_less_refunds(self):
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        rows = Donation.objects.filter(campaign=campaign)
        succeeded = rows.filter(status="succeeded").aggregate(
            gifts=Sum("gift_campaign"), refunded=Sum("refunded_gift_campaign")
        )
        from_rows = (succeeded["gifts"] or 0) - (succeeded["refunded"] or 0)
        assert campaign.raised_amount == from_rows == sum(g.raised for g in self.gifts)
        for donation in rows.filter(status="refunded"):
            assert donation.refunded_gift_campaign == donation.gift_campaign
        assert {d.reference: d.status for d in rows} == {g.reference: g.status for g in self.gifts}

    @invariant()
    def no_balance_below_zero(self):
        balances = campaign_balances(self.campaign)
        assert balances["available"] >= 0
        assert balances["held"] >= 0

    @invariant()
    def donor_count_is_distinct_donors(self):
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        donors = {g.email for g in self.gifts if g.status == "succeeded"}
        assert campaign.donor_count == len(donors)


@pytest.fixture
def refund_staff(db):
    member = StaffFactory(email="stateful-refunds@krogiving.test")
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label="donations", codename="refund_donation")
    )
    return type(member).objects.get(pk=member.pk)


def test_random_donations_and_refunds_keep_every_money_invariant(paystack, refund_staff):
    DonationMachine.paystack = paystack
    DonationMachine.staff = refund_staff
    run_state_machine_as_test(DonationMachine, settings=stateful_settings(sequences=25, steps=30))


def test_a_full_refund_settled_before_an_earlier_partial_one(paystack, refund_staff):
    """Found by the state machine: the donation is refunded once both have settled."""
    campaign = CampaignFactory(currency_id="NGN")
    donation = donation_initialize(
        campaign=campaign.slug, amount=100_000, currency="NGN", email="ada@example.com"
    )
    paystack.pay(donation.reference)
    charge = paystack.charge_success(donation.reference)["data"]
    assert donation_apply_charge_success(reference=donation.reference, data=charge) == "applied"
    partial = donation_refund(
        donation=donation, actor=refund_staff, amount=1_000, reason="Donor asked"
    )
    full = donation_refund(donation=donation, actor=refund_staff, amount=None, reason="The rest")
    assert (full.amount, full.gift_part, full.completes) == (99_000, 99_000, True)

    def settle(refund) -> str:
        return donation_refund_settle(
            reference=donation.reference,
            paystack_refund_id=refund.paystack_refund_id,
            amount=refund.amount,
            currency="NGN",
        )

    assert settle(full) == "applied"
    donation.refresh_from_db()
    campaign.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("succeeded", 99_000)
    assert (campaign.raised_amount, campaign.donor_count) == (1_000, 1)

    assert settle(partial) == "applied"
    donation.refresh_from_db()
    campaign.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("refunded", 100_000)
    assert (campaign.raised_amount, campaign.donor_count) == (0, 0)
    fire_deferred_checks()
    assert ledger_verify().problems == []
