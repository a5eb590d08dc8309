"""The whole offline flow over real HTTP, through the API alone, on the Paystack sandbox:
initialize -> the checkout page -> pay -> signed charge.success to our own webhook ->
verify with the sandbox -> settled; then a staff refund and its refund.processed."""

import re

import pytest
import requests
from django.contrib.auth.models import Permission
from django.core.management import call_command

from apps.donations.models import Donation
from apps.users.tokens import tokens_for
from tests.factories import ActiveCampaignFactory as CampaignFactory
from tests.factories import StaffFactory

from .conftest import balances

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox(live_server, settings):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PAYSTACK_RETRY_BACKOFF_SECONDS = 0
    settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST = []
    settings.DONATION_CALLBACK_URL = f"{live_server.url}/thanks/{{reference}}"
    settings.DONATION_INITIALIZE_THROTTLE = "1000/min"
    return live_server.url


def pay_on_checkout_page(url: str, action: str = "pay") -> requests.Response:
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": token, "action": action},
        allow_redirects=False,
        timeout=60,
    )


def test_a_donor_pays_on_the_sandbox_and_everything_agrees(sandbox):
    campaign = CampaignFactory(currency_id="NGN")

    started = requests.post(
        f"{sandbox}/v1/donations/initialize",
        json={
            "campaign": campaign.slug,
            "amount": 1_000_000,
            "currency": "NGN",
            "email": "ngozi@example.com",
            "name": "Ngozi",
            "tip_amount": 50_000,
            "cover_fee": True,
            "message": "For the surgery",
        },
        timeout=60,
    )
    assert started.status_code == 201, started.text
    body = started.json()
    reference = body["reference"]
    assert body["authorization_url"].startswith(f"{sandbox}/sandbox/checkout/")

    paid = pay_on_checkout_page(body["authorization_url"])

    assert paid.status_code == 302
    assert paid.headers["Location"] == (
        f"{sandbox}/thanks/{reference}?trxref={reference}&reference={reference}"
    )
    status = requests.get(f"{sandbox}/v1/donations/verify/{reference}", timeout=30).json()
    assert status["status"] == "succeeded"
    assert (status["amount"], status["currency"], status["campaign"]) == (
        body["amount"],
        "NGN",
        campaign.slug,
    )

    detail = requests.get(f"{sandbox}/v1/campaigns/{campaign.slug}", timeout=10).json()
    assert (detail["raised_amount"], detail["donor_count"]) == (1_000_000, 1)
    board = requests.get(f"{sandbox}/v1/campaigns/{campaign.slug}/leaderboard", timeout=10).json()
    assert [(r["name"], r["total"]) for r in board["results"]] == [("Ngozi", 1_000_000)]
    listed = requests.get(f"{sandbox}/v1/campaigns/{campaign.slug}/donations", timeout=10).json()
    assert listed["results"][0]["message"] == "For the surgery"
    fee = body["breakdown"]["fee"]
    assert balances(campaign) == {
        "available": 1_000_000,
        "held": 0,
        "fees": fee,
        "tips": 50_000,
        "clearing": -(1_000_000 + fee + 50_000),
    }
    assert Donation.objects.get().settled_via == "webhook"
    call_command("ledger_check")

    # staff refund it; the sandbox sends refund.processed to our webhook
    member = StaffFactory()
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label="donations", codename="refund_donation")
    )
    donation = Donation.objects.get()
    refunded = requests.post(
        f"{sandbox}/v1/admin/donations/{donation.pk}/refund",
        json={"reason": "Donor asked"},
        headers={"Authorization": f"Bearer {tokens_for(member, second_factor=True)['access']}"},
        timeout=60,
    )
    assert refunded.status_code == 202, refunded.text
    donation.refresh_from_db()
    assert donation.status == "refunded"
    detail = requests.get(f"{sandbox}/v1/campaigns/{campaign.slug}", timeout=10).json()
    assert (detail["raised_amount"], detail["donor_count"]) == (0, 0)
    assert balances(campaign) == {"available": 0, "held": 0, "fees": 0, "tips": 0, "clearing": 0}
    call_command("ledger_check")


def test_the_fail_button_fails_the_donation(sandbox):
    campaign = CampaignFactory(currency_id="NGN")
    body = requests.post(
        f"{sandbox}/v1/donations/initialize",
        json={"campaign": campaign.slug, "amount": 500000, "currency": "NGN", "email": "a@b.co"},
        timeout=60,
    ).json()

    pay_on_checkout_page(body["authorization_url"], action="fail")

    status = requests.get(f"{sandbox}/v1/donations/verify/{body['reference']}", timeout=30).json()
    assert status["status"] == "failed"
    campaign.refresh_from_db()
    assert campaign.raised_amount == 0


def start_on_sandbox(sandbox: str, campaign, amount: int = 1_234_550) -> dict:
    started = requests.post(
        f"{sandbox}/v1/donations/initialize",
        json={"campaign": campaign.slug, "amount": amount, "currency": "NGN", "email": "a@b.co"},
        timeout=60,
    )
    assert started.status_code == 201, started.text
    return started.json()


def test_the_checkout_page_names_the_campaign_and_the_amount(sandbox):
    campaign = CampaignFactory(currency_id="NGN", title="Rebuild the Ajegunle school")
    body = start_on_sandbox(sandbox, campaign)

    page = requests.get(body["authorization_url"], timeout=10)

    assert page.status_code == 200
    assert 'Donate to <span class="campaign">Rebuild the Ajegunle school</span>' in page.text
    assert "₦12,345.50" in page.text


@pytest.mark.parametrize(
    ("action", "heading", "status", "wording"),
    [
        ("pay", "Payment received", "succeeded", "₦12,345.50 was paid to"),
        ("fail", "Payment failed", "failed", "The payment of ₦12,345.50 to"),
    ],
)
def test_without_a_front_end_the_sandbox_shows_its_own_result_page(
    sandbox, settings, action, heading, status, wording
):
    settings.DONATION_CALLBACK_URL = ""  # no FRONT_END_URL: nowhere to send the donor
    campaign = CampaignFactory(currency_id="NGN", title="Rebuild the Ajegunle school")
    body = start_on_sandbox(sandbox, campaign)

    result = pay_on_checkout_page(body["authorization_url"], action=action)

    assert result.status_code == 200  # no redirect to a dead localhost:3000
    assert heading in result.text
    assert f'{wording} <strong class="campaign">Rebuild the Ajegunle school</strong>' in result.text
    state = requests.get(f"{sandbox}/v1/donations/verify/{body['reference']}", timeout=30).json()
    assert state["status"] == status
    # and the page still says so when opened again
    assert heading in requests.get(body["authorization_url"], timeout=10).text


def test_with_a_front_end_the_donor_returns_to_it_with_the_reference(sandbox, settings):
    settings.DONATION_CALLBACK_URL = "https://app.krogiving.test/donations/{reference}"
    campaign = CampaignFactory(currency_id="NGN")
    body = start_on_sandbox(sandbox, campaign)
    reference = body["reference"]

    failed = pay_on_checkout_page(body["authorization_url"], action="fail")

    assert failed.status_code == 302
    assert failed.headers["Location"] == (
        f"https://app.krogiving.test/donations/{reference}?trxref={reference}&reference={reference}"
    )
