"""Streaming CSV for exports: one line at a time, so memory holds one chunk of rows.

Used by the donations and campaigns exports (the console, the admin API and the
`export_*` management commands). Cells a spreadsheet would run as a formula (starting
with = + - @, tab or carriage return) in the named text columns get a leading apostrophe;
booleans are true/false, dates and times ISO 8601, None an empty cell.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

CHUNK_SIZE = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose write() hands the line back (csv.writer needs a file)."""

    def write(self, value: str) -> str:
        return value


def csv_cell(key: str, value: Any, text_keys: Collection[str]) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if key in text_keys and isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(
    queryset: QuerySet[Any],
    columns: Sequence[tuple[str, str]],
    *,
    text_keys: Collection[str],
    order_by: Sequence[str],
    chunk_size: int | None = None,
) -> Iterator[str]:
    """The header, then one CSV line per row of `queryset` (`columns`: (header, values()
    key) pairs), read with a server-side cursor in chunks."""
    writer = csv.writer(_Line())
    yield writer.writerow([header for header, _ in columns])
    keys = [key for _, key in columns]
    rows = queryset.order_by(*order_by).values(*keys)
    for row in rows.iterator(chunk_size=chunk_size or CHUNK_SIZE):
        yield writer.writerow([csv_cell(key, row[key], text_keys) for key in keys])
