from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from .scheduler import start_in_process_scheduler
        from .seeding import SEED_ORDER_LAST, register_seeder, seed_staff_groups

        register_seeder(seed_staff_groups, order=SEED_ORDER_LAST)
        # `make run` only (eager tasks, runserver): the beat schedule in a thread.
        start_in_process_scheduler()
