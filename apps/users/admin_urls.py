from django.urls import path

from . import admin_api

urlpatterns = [
    path("auth/sign-in", admin_api.StaffSignInView.as_view(), name="admin-sign-in"),
    path("users", admin_api.AdminUserListView.as_view(), name="admin-users"),
    path(
        "users/<uuid:user_id>/suspend",
        admin_api.AdminUserSuspendView.as_view(),
        name="admin-user-suspend",
    ),
    path(
        "users/<uuid:user_id>/reinstate",
        admin_api.AdminUserReinstateView.as_view(),
        name="admin-user-reinstate",
    ),
]
