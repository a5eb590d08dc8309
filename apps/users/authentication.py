from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from .backends import user_can_authenticate


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's Bearer authentication, refusing suspended users as well as inactive."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if not user_can_authenticate(user):
            raise AuthenticationFailed(
                "This account is suspended or inactive.", code="account_disabled"
            )
        return user
