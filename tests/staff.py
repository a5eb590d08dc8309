"""Signing staff in, shared by every test of the staff console."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def console_client(member, client: Client | None = None) -> Client:
    """A Django-admin session of `member` signed in with password and a verified TOTP device.

    The console is an OTPAdminSite: a session counts only once a device is verified.
    """
    device = TOTPDevice.objects.create(user=member, name="console", confirmed=True)
    client = client or Client()
    client.force_login(member)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
