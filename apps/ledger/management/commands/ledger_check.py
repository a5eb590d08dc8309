from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.ledger.selectors import ledger_verify


class Command(BaseCommand):
    help = (
        "Recompute every ledger balance from its entries, check every transaction balances "
        "per currency and every campaign's raised_amount matches its postings. Exits "
        "non-zero on any difference."
    )

    def handle(self, *args, **options):
        fresh = not connection.in_atomic_block
        with transaction.atomic():
            if fresh and connection.vendor == "postgresql":
                # One snapshot for every query, while postings keep committing.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            report = ledger_verify()

        self.stdout.write(
            f"ledger_check: {report.accounts} accounts, {report.transactions} transactions, "
            f"{report.entries} entries, {report.campaigns} campaigns checked"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("ledger_check: no differences"))
            return
        for problem in report.problems:
            self.stderr.write(f"DIFFERENCE {problem}")
        raise CommandError(f"ledger_check: {len(report.problems)} difference(s) found")
