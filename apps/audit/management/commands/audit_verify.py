from django.core.management.base import BaseCommand, CommandError

from apps.audit.chain import chain_verify


def _anchor(value: str) -> tuple[int, str]:
    sequence, _, digest = value.partition(":")
    if not sequence.isdigit() or len(digest) != 64:
        raise CommandError(f"--anchor takes SEQUENCE:SHA256HEX, not {value!r}.")
    return int(sequence), digest.lower()


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain in sequence order and check every link: each "
        "entry's hash, its prev_hash, no gaps, and the chain head. Exits non-zero at the "
        "first broken link, naming it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="A hash recorded outside the database (from an earlier run's summary); "
            "the entry must still have it. Repeatable.",
        )

    def handle(self, *args, chunk_size: int, anchor: list[str], **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        anchors = dict(_anchor(value) for value in anchor)
        report = chain_verify(chunk_size=chunk_size, anchors=anchors)
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN after {report.entries} good entries: {report.problem}"
            )
        if report.entries == 0:
            self.stdout.write("audit chain OK: no entries yet")
            return
        self.stdout.write(
            f"audit chain OK: {report.entries} entries, last sequence {report.last_sequence}, "
            f"head hash {report.last_hash}"
        )
