"""Campaigns as CSV, streamed (`manage.py export_campaigns`); see apps/core/csv_export.py.

Amounts are integers in minor units of the campaign's currency; times ISO 8601 (UTC).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from apps.core.csv_export import csv_lines

# (header, values() key)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("slug", "slug"),
    ("title", "title"),
    ("status", "status"),
    ("category", "category_id"),
    ("organizer_id", "organizer_id"),
    ("organizer_email", "organizer__email"),
    ("currency", "currency_id"),
    ("goal_amount", "goal_amount"),
    ("raised_amount", "raised_amount"),
    ("donor_count", "donor_count"),
    ("end_date", "end_date"),
    ("created_at", "created_at"),
    ("submitted_at", "submitted_at"),
    ("published_at", "published_at"),
    ("ended_at", "ended_at"),
)
HEADER = [name for name, _ in COLUMNS]
TEXT_KEYS = {"slug", "title", "organizer__email"}


def campaign_csv_lines(queryset: QuerySet[Any], *, chunk_size: int | None = None) -> Iterator[str]:
    """The header, then one CSV line per campaign of `queryset` (newest first)."""
    return csv_lines(
        queryset,
        COLUMNS,
        text_keys=TEXT_KEYS,
        order_by=("-created_at", "-pk"),
        chunk_size=chunk_size,
    )
