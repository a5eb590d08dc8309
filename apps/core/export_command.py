"""What the `export_*` management commands share: the date filters, the output file or
stdout, and the progress bar (on stderr, only when it is a terminal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.core.progress import Progress


def _day(text: str) -> date:
    parsed = parse_date(text)
    if parsed is None:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).")
    return parsed


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class ExportCommand(BaseCommand):
    """Subclasses set `noun` and implement `queryset(options)` and `lines(queryset)`."""

    noun = "rows"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="CSV file to write (default: standard output)")
        parser.add_argument(
            "--since", help="created on or after this day (YYYY-MM-DD, UTC)", default=None
        )
        parser.add_argument(
            "--until", help="created on or before this day (YYYY-MM-DD, UTC)", default=None
        )

    def created_between(self, queryset: QuerySet[Any], options: dict[str, Any]) -> QuerySet[Any]:
        if options.get("since"):
            queryset = queryset.filter(created_at__gte=_start_of(_day(options["since"])))
        if options.get("until"):
            end = _start_of(_day(options["until"]) + timedelta(days=1))
            queryset = queryset.filter(created_at__lt=end)
        return queryset

    def queryset(self, options: dict[str, Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def lines(self, queryset: QuerySet[Any]) -> Iterator[str]:
        raise NotImplementedError

    @contextmanager
    def _target(self, output: str | None) -> Iterator[TextIO]:
        if not output:
            # The real stream: OutputWrapper.write would add its own line endings.
            yield cast(TextIO, self.stdout._out)
            return
        try:
            with Path(output).open("w", encoding="utf-8", newline="") as handle:
                yield handle
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc

    def handle(self, *args: Any, **options: Any) -> None:
        queryset = self.queryset(options)
        progress_stream = cast(TextIO, self.stderr._out)
        total = queryset.count() if progress_stream.isatty() else 0
        written = 0
        with (
            self._target(options.get("output")) as target,
            Progress(total, progress_stream, label=self.noun) as progress,
        ):
            for number, line in enumerate(self.lines(queryset)):
                target.write(line)
                if number:  # not the header
                    written += 1
                    progress.advance()
        if options.get("output"):
            self.stderr.write(f"Wrote {written} {self.noun} to {options['output']}.")
