"""The offline Paystack checkout in a real browser: a donor sees whom and how much they
pay, presses the button, and (with no front end configured) lands on the sandbox's own
result page naming the campaign and the amount."""

from __future__ import annotations

import pytest
import requests

from apps.donations.models import Donation
from tests.factories import ActiveCampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox(live_server, settings):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PAYSTACK_RETRY_BACKOFF_SECONDS = 0
    settings.PAYSTACK_WEBHOOK_IP_ALLOWLIST = []
    settings.DONATION_CALLBACK_URL = ""  # no FRONT_END_URL, as under `make run`
    settings.DONATION_INITIALIZE_THROTTLE = "1000/min"
    return live_server.url


def start(sandbox: str, campaign, amount: int) -> str:
    started = requests.post(
        f"{sandbox}/v1/donations/initialize",
        json={
            "campaign": campaign.slug,
            "amount": amount,
            "currency": "NGN",
            "email": "ngozi@example.com",
        },
        timeout=60,
    )
    assert started.status_code == 201, started.text
    return started.json()["authorization_url"]


@pytest.mark.parametrize(
    ("button", "heading", "status"),
    [
        ("Pay successfully", "Payment received", "succeeded"),
        ("Fail payment", "Payment failed", "failed"),
    ],
)
def test_the_donor_sees_the_campaign_and_amount_then_the_result(
    sandbox, page, tmp_path, button, heading, status
):
    campaign = ActiveCampaignFactory(currency_id="NGN", title="Rebuild the Ajegunle school")
    url = start(sandbox, campaign, 2_500_000)

    page.goto(url)

    assert page.locator("h1").inner_text() == "Donate to Rebuild the Ajegunle school"
    assert page.locator(".amount").inner_text() == "₦25,000.00"
    page.screenshot(path=str(tmp_path / "checkout.png"), full_page=True)

    page.get_by_role("button", name=button).click()

    page.wait_for_load_state()
    assert page.url == url  # the sandbox's own page, not a dead localhost:3000
    assert page.locator("h1").inner_text() == heading
    assert page.locator("main .campaign").first.inner_text() == "Rebuild the Ajegunle school"
    assert "₦25,000.00" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "result.png"), full_page=True)
    assert Donation.objects.get().status == status
