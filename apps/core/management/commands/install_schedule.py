from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps.core.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Install the beat schedule declared in apps/core/schedule.py (safe to re-run)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, (task, fields) in SCHEDULE.items():
                crontab, _ = CrontabSchedule.objects.get_or_create(
                    minute=fields.get("minute", "*"),
                    hour=fields.get("hour", "*"),
                    day_of_week=fields.get("day_of_week", "*"),
                    day_of_month=fields.get("day_of_month", "*"),
                    month_of_year=fields.get("month_of_year", "*"),
                    timezone="UTC",
                )
                _, created = PeriodicTask.objects.update_or_create(
                    name=name, defaults={"task": task, "crontab": crontab}
                )
                self.stdout.write(f"{'added' if created else 'updated'}: {name} -> {task}")
