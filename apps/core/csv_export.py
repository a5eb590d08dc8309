"""Streaming CSV for exports: one line at a time, so memory holds one chunk of rows.

Used by the donations and campaigns exports (the console, the admin API and the
`export_*` management commands). Cells a spreadsheet would run as a formula (starting
with = + - @, tab or carriage return) in the named text columns get a leading apostrophe;
booleans are true/false, dates and times ISO 8601, None an empty cell.

The rows are read in chunks by keyset pagination (`WHERE (created_at, pk) < (last
row's)`, along the export's order and its index), not through a server-side cursor: a
chunk is one short query, so an export holds no cursor, transaction or snapshot open
between chunks. That keeps memory flat behind pgbouncer in transaction mode too, where
server-side cursors are off (DISABLE_SERVER_SIDE_CURSORS) and `.iterator()` would load
every row into memory at once (docs/decisions.md, issue 15). Rows written while an
export runs may or may not be in it (no single snapshot); each row appears once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    F,
    Func,
    Q,
    QuerySet,
)
from django.db.models.constants import LOOKUP_SEP

CHUNK_SIZE = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose write() hands the line back (csv.writer needs a file)."""

    def write(self, value: str) -> str:
        return value


def _bool_cell(value: Any) -> str:
    return "" if value is None else ("true" if value else "false")


def _time_cell(value: Any) -> str:
    return "" if value is None else value.isoformat()


def _text_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# PostgreSQL writes a timestamp as Python's isoformat() does for a UTC datetime (what
# Django reads one as): parsing a million timestamps into datetimes only to print them
# again was a third of an export's time.
_PG_ISO_UTC = (
    "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'"
)


def _field(model: Any, key: str) -> Any:
    field = None
    for part in key.split(LOOKUP_SEP):
        field = model._meta.get_field(part)
        model = field.related_model
    return field


def _keyset_after(order_by: Sequence[str], last: Sequence[Any]) -> Q:
    """Rows after `last` (the values of the order's fields) in the order `order_by`: a
    lexicographic comparison, with the first field's bound first so its index is used."""
    fields = [(name.lstrip("-"), name.startswith("-")) for name in order_by]
    after = Q()
    for position in range(len(fields) - 1, -1, -1):
        name, descending = fields[position]
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": last[position]})
        if position < len(fields) - 1:
            step |= Q(**{name: last[position]}) & after
        after = step
    first, descending = fields[0]
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": last[0]}) & after


def csv_lines(
    queryset: QuerySet[Any],
    columns: Sequence[tuple[str, str]],
    *,
    text_keys: Collection[str],
    order_by: Sequence[str],
    chunk_size: int | None = None,
) -> Iterator[str]:
    """The header, then one CSV line per row of `queryset` (`columns`: (header, values()
    key) pairs), in the order `order_by` (fields of the model, unique together: end it
    with the primary key), read in chunks by keyset pagination."""
    chunk_size = chunk_size or CHUNK_SIZE
    write = csv.writer(_Line()).writerow
    yield write([header for header, _ in columns])
    keys = [key for _, key in columns]
    order_keys = [name.lstrip("-") for name in order_by]
    on_postgresql = connections[queryset.db].vendor == "postgresql"
    selected: list[Any] = []
    texts: dict[str, Func] = {}
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, key in enumerate(keys):
        field = _field(queryset.model, key)
        if isinstance(field, BooleanField):
            converters.append((index, _bool_cell))
        elif isinstance(field, DateTimeField) and on_postgresql:
            texts[f"csv_{index}"] = Func(F(key), template=_PG_ISO_UTC, output_field=CharField())
            key = f"csv_{index}"
        elif isinstance(field, DateField):  # a DateTimeField too (elsewhere than PostgreSQL)
            converters.append((index, _time_cell))
        elif key in text_keys:
            converters.append((index, _text_cell))
        selected.append(key)
    # None is written as an empty cell, numbers, UUIDs and strings as they are.
    width = len(keys)
    rows = queryset.order_by(*order_by).annotate(**texts).values_list(*selected, *order_keys)
    last: Sequence[Any] | None = None
    while True:
        page = rows if last is None else rows.filter(_keyset_after(order_by, last))
        chunk = list(page[:chunk_size])
        for row in chunk:
            cells = list(row[:width])
            for index, convert in converters:
                cells[index] = convert(cells[index])
            yield write(cells)
        if len(chunk) < chunk_size:
            return
        last = chunk[-1][width:]
