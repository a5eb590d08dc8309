from django.urls import path

from . import admin_api

urlpatterns = [
    path("logs", admin_api.AdminLogListView.as_view(), name="admin-logs"),
]
