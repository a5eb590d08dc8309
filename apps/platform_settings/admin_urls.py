from django.urls import path

from . import admin_api

urlpatterns = [
    path("settings", admin_api.AdminSettingsView.as_view(), name="admin-settings"),
    path(
        "settings/global-withdrawal-cap",
        admin_api.GlobalWithdrawalCapView.as_view(),
        name="admin-settings-global-withdrawal-cap",
    ),
    path(
        "logs/withdrawal-cap",
        admin_api.WithdrawalCapLogView.as_view(),
        name="admin-logs-withdrawal-cap",
    ),
    path("logs/settings", admin_api.SettingsChangeLogView.as_view(), name="admin-logs-settings"),
]
