"""manage.py create_staff EMAIL --role finance|reviewer|support|superadmin [--password P]

A staff member in one role's group with a confirmed TOTP authenticator. The otpauth://
URL (and the password, when generated) is printed once: hand it over out of band.
"""

import secrets

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import InvalidInput
from apps.users.services import STAFF_ROLES, staff_member_create


class Command(BaseCommand):
    help = "Create a staff member in a role and enrol their TOTP authenticator."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--role",
            required=True,
            choices=sorted(STAFF_ROLES),
            help="the staff group: reviewer, finance, support or superadmin",
        )
        parser.add_argument(
            "--password", help="their password (default: a random one, printed once)"
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--qr", action="store_true", help="also print a QR code")

    def handle(self, *args, email, role, password, first_name, qr, **options):
        generated = not password
        password = password or secrets.token_urlsafe(12)
        try:
            user, device = staff_member_create(
                email=email, role=role, password=password, actor=None, first_name=first_name
            )
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        group = user.groups.get().name
        self.stdout.write(self.style.SUCCESS(f"Staff member {user.email} created in {group}."))
        if generated:
            self.stdout.write(f"Password (shown once): {password}")
        self.stdout.write("Authenticator (shown once; add it to their TOTP app, keep it secret):")
        self.stdout.write(device.config_url)
        if qr:
            import qrcode

            code = qrcode.QRCode()
            code.add_data(device.config_url)
            code.print_ascii(out=self.stdout)
