from rest_framework_simplejwt.tokens import RefreshToken

# Set on tokens issued by the staff sign-in after a TOTP code was checked. The admin API
# accepts only tokens that carry it; refresh keeps it (simplejwt copies claims).
SECOND_FACTOR_CLAIM = "otp_verified"


def tokens_for(user, *, second_factor: bool = False) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    if second_factor:
        refresh[SECOND_FACTOR_CLAIM] = True
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
