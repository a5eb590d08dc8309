"""Donations as CSV, streamed: the console's export and `GET /v1/admin/donations?format=csv`.

The rows come in chunks of CHUNK_SIZE by keyset pagination (apps/core/csv_export.py)
and each line is written and handed to the response as it is made, so memory holds one
chunk, never the whole result. Amounts are integers in minor units
with their currency (no formatted column: formatting needs the currency's details per
row, and spreadsheets format numbers themselves). No card data is stored, so none can
appear; emails are staff data. Cells a spreadsheet would run as a formula (starting with
= + - @, tab or carriage return) are quoted with a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from apps.core.csv_export import CHUNK_SIZE, csv_lines

# (header, values() key)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("reference", "reference"),
    ("status", "status"),
    ("created_at", "created_at"),
    ("paid_at", "paid_at"),
    ("campaign_id", "campaign_id"),
    ("campaign_slug", "campaign__slug"),
    ("campaign_title", "campaign__title"),
    ("email", "email"),
    ("name", "name"),
    ("anonymous", "anonymous"),
    ("currency", "currency_id"),
    ("amount", "amount"),
    ("fee_amount", "fee_amount"),
    ("tip_amount", "tip_amount"),
    ("cover_fee", "cover_fee"),
    ("charged_amount", "charged_amount"),
    ("refunded_amount", "refunded_amount"),
    ("campaign_currency", "campaign_currency_id"),
    ("gift_campaign", "gift_campaign"),
    ("fee_campaign", "fee_campaign"),
    ("tip_campaign", "tip_campaign"),
    ("net_campaign", "net_campaign"),
    ("fx_rate", "fx_rate"),
    ("channel", "channel"),
    ("settled_via", "settled_via"),
    ("needs_review", "needs_review"),
)
HEADER = [name for name, _ in COLUMNS]
TEXT_KEYS = {"name", "email", "campaign__title", "campaign__slug", "reference", "channel"}


def donation_csv_lines(queryset: QuerySet[Any], *, chunk_size: int | None = None) -> Iterator[str]:
    """The header, then one CSV line per donation of `queryset` (newest first), read in
    chunks."""
    return csv_lines(
        queryset,
        COLUMNS,
        text_keys=TEXT_KEYS,
        order_by=("-created_at", "-pk"),
        chunk_size=chunk_size or CHUNK_SIZE,
    )


def donation_csv_response(queryset: QuerySet[Any]) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        donation_csv_lines(queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="donations-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
