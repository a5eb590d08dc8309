from django.urls import path

from . import admin_api

urlpatterns = [
    path("status", admin_api.AdminStatusView.as_view(), name="admin-status"),
]
