"""Random sequences of postings, replays among them, checked against a model after every step."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from apps.campaigns.models import Campaign
from apps.ledger.models import Account, AccountKind, LedgerTransaction
from apps.ledger.selectors import ledger_verify
from apps.ledger.services import (
    InsufficientFunds,
    ledger_post_donation_succeeded,
    ledger_post_hold,
    ledger_post_refund,
    ledger_post_release,
    ledger_post_transfer_succeeded,
)
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.hypothesis_profiles import stateful_settings
from tests.ledger.conftest import fire_deferred_checks

AVAILABLE, HELD = AccountKind.CAMPAIGN_AVAILABLE, AccountKind.CAMPAIGN_HELD
FEES, TIPS = AccountKind.PLATFORM_FEES, AccountKind.PLATFORM_TIPS
CLEARING, FX = AccountKind.PAYSTACK_CLEARING, AccountKind.FX

CAMPAIGN_CURRENCIES = ["NGN", "GHS"]
amounts = st.integers(min_value=1, max_value=2_000_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run works in a savepoint that teardown rolls back, so runs start empty.
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.campaigns = {code: CampaignFactory(currency_id=code) for code in CAMPAIGN_CURRENCIES}
        # Expected balances keyed (kind, campaign currency or None, account currency).
        self.expected: dict[tuple[str, str | None, str], int] = defaultdict(int)
        self.raised: dict[str, int] = defaultdict(int)
        self.posted: list[tuple[object, dict, object]] = []
        self.open_holds: list[tuple[str, int, int]] = []
        self.events = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def _next(self, kind: str) -> str:
        self.events += 1
        return f"{kind}:{self.events}"

    def _post(self, service, **kwargs):
        posted = service(**kwargs)
        self.posted.append((service, kwargs, posted.pk))
        return posted

    def _refused(self, service, **kwargs) -> None:
        with pytest.raises(InsufficientFunds):
            service(**kwargs)
        assert not LedgerTransaction.objects.filter(reference=kwargs["reference"]).exists()

    # --- rules ------------------------------------------------------------------------------

    @rule(
        cur=st.sampled_from(CAMPAIGN_CURRENCIES),
        gift=amounts,
        fee_bps=st.integers(min_value=0, max_value=1_000),
        tip=st.integers(min_value=0, max_value=50_000),
        covered=st.booleans(),
        foreign=st.sampled_from([None, "USD", "NGN", "GHS"]),
        charged_foreign=st.integers(min_value=1, max_value=100_000),
    )
    def donate(self, cur, gift, fee_bps, tip, covered, foreign, charged_foreign):
        fee = gift * fee_bps // 10_000
        net = gift if covered else gift - fee
        total = net + fee + tip
        charged_currency = foreign or cur
        same = charged_currency == cur
        charged = total if same else charged_foreign
        self._post(
            ledger_post_donation_succeeded,
            reference=self._next("donation"),
            campaign=self.campaigns[cur],
            charged_amount=charged,
            charged_currency=charged_currency,
            gift=gift,
            fee=fee,
            tip=tip,
            net_to_campaign=net,
            fx_rate=None if same else Decimal("1234.5678"),
        )
        self.expected[(AVAILABLE, cur, cur)] += net
        self.expected[(FEES, None, cur)] += fee
        self.expected[(TIPS, None, cur)] += tip
        self.expected[(CLEARING, None, charged_currency)] -= charged
        if not same:
            self.expected[(FX, None, charged_currency)] += charged
            self.expected[(FX, None, cur)] -= total
        self.raised[cur] += gift

    @rule(cur=st.sampled_from(CAMPAIGN_CURRENCIES), amount=amounts)
    def hold(self, cur, amount):
        arguments = {
            "reference": self._next("withdrawal-held"),
            "campaign": self.campaigns[cur],
            "amount": amount,
        }
        if amount > self.expected[(AVAILABLE, cur, cur)]:
            self._refused(ledger_post_hold, **arguments)
            return
        self._post(ledger_post_hold, **arguments)
        self.expected[(AVAILABLE, cur, cur)] -= amount
        self.expected[(HELD, cur, cur)] += amount
        self.open_holds.append((cur, amount, self.events))

    @precondition(lambda self: self.open_holds)
    @rule(data=st.data(), paid=st.booleans())
    def settle_hold(self, data, paid):
        """A held withdrawal either leaves through Paystack or is released."""
        cur, amount, number = self.open_holds.pop(
            data.draw(st.integers(min_value=0, max_value=len(self.open_holds) - 1))
        )
        service = ledger_post_transfer_succeeded if paid else ledger_post_release
        self._post(
            service,
            reference=f"withdrawal:{number}:{'paid' if paid else 'released'}",
            campaign=self.campaigns[cur],
            amount=amount,
        )
        self.expected[(HELD, cur, cur)] -= amount
        if paid:
            self.expected[(CLEARING, None, cur)] += amount
        else:
            self.expected[(AVAILABLE, cur, cur)] += amount

    @rule(cur=st.sampled_from(CAMPAIGN_CURRENCIES), extra=st.integers(min_value=1, max_value=10))
    def release_more_than_held(self, cur, extra):
        self._refused(
            ledger_post_release,
            reference=self._next("withdrawal-over-released"),
            campaign=self.campaigns[cur],
            amount=self.expected[(HELD, cur, cur)] + extra,
        )

    @rule(cur=st.sampled_from(CAMPAIGN_CURRENCIES), amount=amounts)
    def refund(self, cur, amount):
        arguments = {
            "reference": self._next("refund"),
            "campaign": self.campaigns[cur],
            "amount": amount,
        }
        if amount > self.expected[(AVAILABLE, cur, cur)]:
            self._refused(ledger_post_refund, **arguments)
            return
        self._post(ledger_post_refund, **arguments)
        self.expected[(AVAILABLE, cur, cur)] -= amount
        self.expected[(CLEARING, None, cur)] += amount
        self.raised[cur] -= amount

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def replay(self, data):
        """The same event again (a webhook retried, a task run twice): nothing changes."""
        service, kwargs, first_id = data.draw(st.sampled_from(self.posted))
        assert service(**kwargs).pk == first_id

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def database_agrees(self):
        # Every transaction balances per currency, as the database checks at commit.
        fire_deferred_checks()
        # Cached balances == entries, per-currency balance, raised == postings, none negative.
        assert ledger_verify().problems == []

    @invariant()
    def model_agrees(self):
        by_campaign = {campaign.pk: code for code, campaign in self.campaigns.items()}
        actual = {
            (account.kind, by_campaign.get(account.campaign_id), account.currency_id): (
                account.balance
            )
            for account in Account.objects.all()
            if account.balance
        }
        assert actual == {key: value for key, value in self.expected.items() if value}
        raised = dict(
            Campaign.objects.filter(pk__in=by_campaign).values_list("currency_id", "raised_amount")
        )
        assert raised == {code: self.raised[code] for code in CAMPAIGN_CURRENCIES}
        for (kind, _, _), balance in self.expected.items():
            if kind in (AVAILABLE, HELD):
                assert balance >= 0


@pytest.mark.django_db
def test_random_postings_keep_every_ledger_invariant():
    run_state_machine_as_test(
        LedgerMachine,
        settings=stateful_settings(sequences=25, steps=30),
    )
