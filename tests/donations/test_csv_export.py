"""CSV export of donations, streamed: the console button and GET /v1/admin/donations?format=csv."""

import csv
import io
import tracemalloc
import uuid

import pytest
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from apps.donations import exports
from apps.donations.exports import HEADER
from apps.donations.models import Donation
from apps.users.tokens import tokens_for
from tests.staff import console_client

from .console_roles import staff_with_role

pytestmark = pytest.mark.django_db


def api_as(member) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens_for(member, second_factor=True)['access']}"
    )
    return client


def read(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def some(donate, start, campaign):
    donate(campaign, amount=300000, email="ada@example.com", name="=HYPERLINK(1)")
    start(campaign=campaign.slug, email="pending@example.com")
    return campaign


def test_the_api_streams_the_same_filter_as_csv(some):
    client = api_as(staff_with_role("finance"))

    response = client.get("/v1/admin/donations", {"format": "csv", "status": "succeeded"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read(response)
    assert [row["email"] for row in rows] == ["ada@example.com"]
    row = rows[0]
    assert list(row) == HEADER
    assert row["amount"] == "300000" and row["currency"] == "NGN"
    assert row["fee_amount"] == "20000" and row["charged_amount"] == "300000"
    assert row["status"] == "succeeded" and row["campaign_slug"] == some.slug
    assert row["name"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert not any("card" in column or "authorization" in column for column in row)


def test_the_csv_has_every_row_not_a_page(some, campaign):
    client = api_as(staff_with_role("finance"))
    json_page = client.get("/v1/admin/donations").json()

    rows = read(client.get("/v1/admin/donations?format=csv"))

    assert len(rows) == json_page["count"] == 2


def test_the_csv_needs_view_donation_and_the_second_factor(some):
    reviewer = staff_with_role("reviewer")
    assert api_as(reviewer).get("/v1/admin/donations?format=csv").status_code == 403
    finance = staff_with_role("finance")
    plain = APIClient()
    plain.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(finance)['access']}")
    refused = plain.get("/v1/admin/donations?format=csv")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"
    assert (
        api_as(staff_with_role("support")).get("/v1/admin/donations?format=csv").status_code == 200
    )


def test_a_bad_filter_is_a_json_400(some):
    response = api_as(staff_with_role("finance")).get("/v1/admin/donations?format=csv&status=x")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and "status" in str(response.json())


def test_the_console_button_exports_the_current_filter(some):
    finance = console_client(staff_with_role("finance"))
    listing = finance.get("/admin/donations/donation/", {"status__exact": "pending"})
    assert "export/?status__exact=pending" in listing.content.decode()

    rows = read(finance.get("/admin/donations/donation/export/", {"status__exact": "pending"}))

    assert [row["email"] for row in rows] == ["pending@example.com"]
    searched = read(finance.get("/admin/donations/donation/export/", {"q": "ada@example.com"}))
    assert [row["email"] for row in searched] == ["ada@example.com"]


def test_the_console_action_exports_the_selected(some):
    finance = console_client(staff_with_role("finance"))
    chosen = Donation.objects.get(email="ada@example.com")

    response = finance.post(
        "/admin/donations/donation/",
        {"action": "export_selected_csv", "_selected_action": [str(chosen.pk)]},
    )

    assert [row["reference"] for row in read(response)] == [chosen.reference]


def _many(campaign, count: int) -> None:
    Donation.objects.bulk_create(
        Donation(
            reference=f"bulk-{uuid.uuid4().hex}",
            campaign=campaign,
            email=f"donor{i}@example.com",
            name=f"Donor number {i} with a fairly long name to weigh something",
            currency_id="NGN",
            amount=100000,
            charged_amount=100000,
            campaign_currency_id="NGN",
            gift_campaign=100000,
            net_campaign=95000,
            fee_campaign=5000,
            fee_amount=5000,
            status="succeeded",
        )
        for i in range(count)
    )


def _peak_while_streaming(client) -> tuple[int, int]:
    response = client.get("/v1/admin/donations?format=csv")
    assert response.streaming
    lines = 0
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for _ in response.streaming_content:
            lines += 1
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return lines, peak


def test_memory_does_not_grow_with_the_rows(campaign, monkeypatch):
    """With chunks of 100 rows, streaming 3,000 rows peaks about as high as 300 rows
    does; building the whole file (or the whole list) would take ten times as much."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    client = api_as(staff_with_role("finance"))
    _many(campaign, 300)
    small_lines, small_peak = _peak_while_streaming(client)
    _many(campaign, 2700)
    big_lines, big_peak = _peak_while_streaming(client)

    assert (small_lines, big_lines) == (301, 3001)
    assert big_peak < 2 * small_peak, (small_peak, big_peak)
