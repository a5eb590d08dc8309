from django.contrib.auth.backends import ModelBackend


def user_can_authenticate(user) -> bool:
    """The one rule for who may sign in or refresh a token: active and not suspended."""
    return bool(user) and user.is_active and not getattr(user, "is_suspended", False)


class EmailBackend(ModelBackend):
    """Email and password, case-insensitive on the email; refuses suspended users."""

    def user_can_authenticate(self, user) -> bool:
        return user_can_authenticate(user)
