from django.apps import AppConfig


class PaystackSandboxConfig(AppConfig):
    """The offline Paystack: a Paystack-shaped API, a checkout page and signed webhooks.

    Installed only outside production (see INSTALLED_APPS in settings); it serves only
    while no PAYSTACK_SECRET_KEY is set. It depends one way on `apps.payments` (the
    signing key and the webhook path); nothing imports it.
    """

    name = "apps.paystack_sandbox"
    label = "paystack_sandbox"
    verbose_name = "Paystack sandbox (offline)"
