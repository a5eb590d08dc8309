from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core.seeding import seeders


class Command(BaseCommand):
    help = "Seed the reference data the platform needs. Safe to run any number of times."

    def handle(self, *args, **options):
        with transaction.atomic():
            for seeder in seeders():
                self.stdout.write(f"seeded {seeder()}")
