"""manage.py export_donations [-o FILE] [--campaign SLUG|ID] [--status S] [--currency C]
[--since DAY] [--until DAY]

Donations as CSV (the columns of the console's export, apps/donations/exports.py; the
README lists them), streamed in chunks (keyset pagination): memory stays flat however many
rows. A progress bar is drawn on stderr when it is a terminal.
"""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import QuerySet

from apps.campaigns.selectors import campaign_find
from apps.core.export_command import ExportCommand
from apps.donations.exports import donation_csv_lines
from apps.donations.models import Donation, DonationStatus


class Command(ExportCommand):
    help = "Export donations as CSV (to a file or standard output), with optional filters."
    noun = "donations"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--campaign", help="campaign slug or id")
        parser.add_argument(
            "--status",
            action="append",
            choices=DonationStatus.values,
            help="only this status (repeat for several)",
        )
        parser.add_argument("--currency", help="only donations made in this currency (NGN...)")

    def queryset(self, options: dict[str, Any]) -> QuerySet[Any]:
        queryset = Donation.objects.all()
        if options.get("campaign"):
            key = options["campaign"].strip()
            campaign = campaign_find(key)
            if campaign is None:
                raise CommandError(f"No campaign {key!r}.")
            queryset = queryset.filter(campaign=campaign)
        if options.get("status"):
            queryset = queryset.filter(status__in=options["status"])
        if options.get("currency"):
            queryset = queryset.filter(currency_id=options["currency"].strip().upper())
        return self.created_between(queryset, options)

    def lines(self, queryset: QuerySet[Any]) -> Iterator[str]:
        return donation_csv_lines(queryset)
