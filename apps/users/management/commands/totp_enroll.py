from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Give a staff member a confirmed TOTP authenticator and print the otpauth:// URL "
        "to add to an authenticator app. Replaces any device with the same name."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="authenticator")
        parser.add_argument("--qr", action="store_true", help="also print a QR code")

    def handle(self, *args, email, name, qr, **options):
        User = get_user_model()
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist as exc:
            raise CommandError(f"No account has the email {email}.") from exc
        if not user.is_staff:
            raise CommandError(f"{email} is not staff; make it staff first.")
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, name=name).delete()
            device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(f"TOTP device '{name}' enrolled for {user.email}.")
        self.stdout.write("Add this to the authenticator app (keep it secret):")
        self.stdout.write(device.config_url)
        if qr:
            import qrcode

            code = qrcode.QRCode()
            code.add_data(device.config_url)
            code.print_ascii(out=self.stdout)
