"""manage.py export_campaigns [-o FILE] [--status S] [--currency C] [--since DAY]
[--until DAY]

Campaigns as CSV (columns in apps/campaigns/exports.py; the README lists them),
streamed; a progress bar on stderr when it is a terminal.
"""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandParser
from django.db.models import QuerySet

from apps.campaigns.exports import campaign_csv_lines
from apps.campaigns.models import Campaign, CampaignStatus
from apps.core.export_command import ExportCommand


class Command(ExportCommand):
    help = "Export campaigns as CSV (to a file or standard output), with optional filters."
    noun = "campaigns"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--status",
            action="append",
            choices=CampaignStatus.values,
            help="only this status (repeat for several)",
        )
        parser.add_argument("--currency", help="only campaigns raising in this currency")

    def queryset(self, options: dict[str, Any]) -> QuerySet[Any]:
        queryset = Campaign.objects.all()
        if options.get("status"):
            queryset = queryset.filter(status__in=options["status"])
        if options.get("currency"):
            queryset = queryset.filter(currency_id=options["currency"].strip().upper())
        return self.created_between(queryset, options)

    def lines(self, queryset: QuerySet[Any]) -> Iterator[str]:
        return campaign_csv_lines(queryset)
