from django.urls import path

from . import api

urlpatterns = [
    path("users/register", api.RegisterView.as_view(), name="register"),
    path("users/login", api.LoginView.as_view(), name="login"),
    path("users/password-reset", api.PasswordResetRequestView.as_view(), name="password-reset"),
    path(
        "users/password-reset/confirm",
        api.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("auth/token/refresh", api.RefreshView.as_view(), name="token-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="logout"),
    path("profile", api.ProfileView.as_view(), name="profile"),
    # One-time codes are sent by the otp app; verifying one marks the account here.
    path("otp/verify", api.OtpVerifyView.as_view(), name="otp-verify"),
]
