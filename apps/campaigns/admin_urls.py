from django.urls import path

from . import admin_api

urlpatterns = [
    path(
        "campaigns/comments/<uuid:comment_id>/hide",
        admin_api.AdminCommentHideView.as_view(),
        name="admin-comment-hide",
    ),
]
