"""manage.py import_donations <file.csv> [--dry-run] --actor <staff email>

Offline donations (bank transfers) from a CSV, through the same service as the console's
import page: every row checked, all applied or none, idempotent by reference. Each row's
outcome is printed with its line number in the file; a progress bar (checking, then
importing) is drawn on stderr when it is a terminal.
"""

from pathlib import Path
from typing import TextIO, cast

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ApplicationError
from apps.core.progress import Progress
from apps.donations.services import donations_import_offline, offline_rows_from_csv
from apps.users.models import User


class Command(BaseCommand):
    help = "Import offline donations (bank transfers) from a CSV file; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header line first)")
        parser.add_argument("--actor", required=True, help="email of the staff member importing")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        actor = User.objects.filter(email__iexact=options["actor"].strip()).first()
        if actor is None or not actor.is_staff:
            raise CommandError(f"No staff member {options['actor']!r}.")
        bars: dict[str, Progress] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                for bar in bars.values():
                    bar.finish()
                label = "rows checked" if stage == "check" else "donations imported"
                bars[stage] = Progress(total, cast(TextIO, self.stderr._out), label=label)
            bars[stage].advance()

        try:
            rows = offline_rows_from_csv(path.read_bytes())
            try:
                result = donations_import_offline(
                    rows=rows,
                    actor=actor,
                    dry_run=options["dry_run"],
                    file_name=path.name,
                    progress=progress,
                )
            finally:
                if bars:
                    list(bars.values())[-1].finish()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for row in result.rows:
            line = f"line {row.line}: {row.reference or '-'}: {row.outcome}"
            if row.errors:
                line += " - " + "; ".join(row.errors)
            self.stdout.write(line)
        counts = result.counts
        summary = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
        if result.errors:
            raise CommandError(
                f"Nothing imported: {counts['error']} row(s) have errors ({summary})."
            )
        self.stdout.write(
            self.style.SUCCESS(("Dry run: " if result.dry_run else "Done: ") + summary)
        )
