from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from . import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from .lockout import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="users.account_failures")
