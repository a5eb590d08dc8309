from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps.core.schedule import SCHEDULE


def _crontab(fields: dict[str, str]) -> CrontabSchedule:
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=fields.get("minute", "*"),
        hour=fields.get("hour", "*"),
        day_of_week=fields.get("day_of_week", "*"),
        day_of_month=fields.get("day_of_month", "*"),
        month_of_year=fields.get("month_of_year", "*"),
        timezone="UTC",
    )
    return crontab


class Command(BaseCommand):
    help = (
        "Install the beat schedule declared in apps/core/schedule.py (safe to re-run). "
        "Entries no longer declared are removed; an entry staff paused stays paused."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, (task, fields) in SCHEDULE.items():
                _, created = PeriodicTask.objects.update_or_create(
                    name=name, defaults={"task": task, "crontab": _crontab(fields)}
                )
                self.stdout.write(f"{'added' if created else 'updated'}: {name} -> {task}")
            # Beat's own bookkeeping entry (`celery.backend_cleanup`) is not ours to drop.
            stale = PeriodicTask.objects.exclude(name__in=list(SCHEDULE)).exclude(
                task__startswith="celery."
            )
            for name, task in stale.values_list("name", "task"):
                self.stdout.write(f"removed: {name} -> {task}")
            stale.delete()
            # Crontabs no entry uses any more.
            CrontabSchedule.objects.filter(periodictask__isnull=True).delete()
