from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import InvalidInput
from apps.users.services import (
    STAFF_DEVICE_NAME,
    staff_totp_device_enrol,
    staff_totp_devices_reset,
)


class Command(BaseCommand):
    help = (
        "Give a staff member a confirmed TOTP authenticator and print the otpauth:// URL "
        "to add to an authenticator app (replaces any device with the same name); or, "
        "with --reset, remove all their authenticators so they enrol a new one at their "
        "next console sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default=STAFF_DEVICE_NAME)
        parser.add_argument("--qr", action="store_true", help="also print a QR code")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="remove every authenticator of this staff member (a lost phone)",
        )

    def handle(self, *args, email, name, qr, reset, **options):
        User = get_user_model()
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist as exc:
            raise CommandError(f"No account has the email {email}.") from exc
        try:
            if reset:
                removed = staff_totp_devices_reset(user=user, actor=None)
                self.stdout.write(
                    f"Removed {removed} authenticator(s) of {user.email}. They are shown a QR "
                    "code to enrol a new one at their next sign-in at /admin/."
                )
                return
            device = staff_totp_device_enrol(user=user, actor=None, name=name)
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"TOTP device '{name}' enrolled for {user.email}.")
        self.stdout.write("Add this to the authenticator app (keep it secret):")
        self.stdout.write(device.config_url)
        if qr:
            import qrcode

            code = qrcode.QRCode()
            code.add_data(device.config_url)
            code.print_ascii(out=self.stdout)
