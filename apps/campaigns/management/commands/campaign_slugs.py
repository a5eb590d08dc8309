from django.core.management.base import BaseCommand

from apps.campaigns.services import campaign_slugs_repair


class Command(BaseCommand):
    help = (
        "Backfill and repair campaign slugs: blank or malformed slugs, slugs missing from "
        "the slug history, history rows pointing at the wrong campaign. Safe to re-run."
    )

    def handle(self, *args, **options):
        report = campaign_slugs_repair()
        self.stdout.write(
            f"checked {report.checked} campaign(s): {report.regenerated} slug(s) regenerated, "
            f"{report.history_added} history row(s) added, "
            f"{report.history_moved} history row(s) moved"
        )
