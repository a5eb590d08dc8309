from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from apps.payments.models import PaystackEvent
from apps.payments.services import paystack_events_replay


class Command(BaseCommand):
    help = (
        "Apply again Paystack webhook events left pending or failed (or ignored ones, "
        "after registering a handler). Exits 1 if any event is still failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--outcome",
            action="append",
            choices=[o for o in PaystackEvent.Outcome.values if o != "applied"],
            help="Outcomes to replay (repeatable). Default: pending and failed.",
        )
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=0,
            help="Only events received at least this long ago (default 0: all).",
        )
        parser.add_argument("--id", action="append", dest="ids", help="Only these event ids.")
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, **options):
        if options["limit"] <= 0 or options["older_than_minutes"] < 0:
            raise CommandError("--limit must be positive and --older-than-minutes not negative")
        counts = paystack_events_replay(
            outcomes=options["outcome"] or ["pending", "failed"],
            older_than=timedelta(minutes=options["older_than_minutes"]),
            max_attempts=None,
            event_ids=options["ids"],
            limit=options["limit"],
        )
        total = sum(counts.values())
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        self.stdout.write(f"Replayed {total} event(s){': ' + summary if total else ''}.")
        if counts.get("failed"):
            raise SystemExit(1)
