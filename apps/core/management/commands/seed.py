from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.core.seeding import demo_seeder, seeders


class Command(BaseCommand):
    help = (
        "Seed the reference data the platform needs. Safe to run any number of times. "
        "--demo also adds a living demo platform (krogiving/demo.py); --demo-if-new adds "
        "it only to a database without campaigns (what `make run` does)."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--demo", action="store_true", help="add the demo platform")
        group.add_argument(
            "--demo-if-new",
            action="store_true",
            help="add the demo platform only when there is no campaign yet",
        )

    def handle(self, *args, demo=False, demo_if_new=False, **options):
        with transaction.atomic():
            for seeder in seeders():
                self.stdout.write(f"seeded {seeder()}")
        if not (demo or demo_if_new):
            return
        seed_demo = demo_seeder()
        if seed_demo is None:
            raise CommandError("No demo seeder is registered.")
        report = seed_demo(only_if_new=demo_if_new)
        if report is None:
            self.stdout.write("The database has campaigns already: no demo added.")
            return
        self._print(report, new=demo_if_new)

    def _print(self, report, *, new):
        if not report.added:
            self.stdout.write("Demo platform: everything is there already; nothing added.")
            return
        banner = "New database: seeded the demo platform" if new else "Seeded the demo platform"
        self.stdout.write(self.style.SUCCESS(f"{banner} ({report.added} things added):"))
        for line in report.lines:
            self.stdout.write(f"  {line}")
        if report.staff:
            self.stdout.write("")
            self.stdout.write(
                self.style.WARNING(
                    "Staff sign-in at /admin/ (shown ONCE: note them now). Add each otpauth "
                    "URL to an authenticator app (or `manage.py totp_enroll EMAIL --qr`):"
                )
            )
            for login in report.staff:
                self.stdout.write(f"  {login.role:<11} {login.email}  password: {login.password}")
                self.stdout.write(f"              {login.otpauth_url}")
        self.stdout.write(
            "Organisers (password krogiving-demo-organiser): amaka@demo.krogiving.local, "
            "kwame@demo.krogiving.local"
        )
