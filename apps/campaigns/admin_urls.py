from django.urls import path

from . import admin_api

urlpatterns = [
    path("campaigns", admin_api.AdminCampaignListView.as_view(), name="admin-campaigns"),
    path(
        "campaigns/<uuid:campaign_id>/status",
        admin_api.AdminCampaignStatusView.as_view(),
        name="admin-campaign-status",
    ),
    path(
        "campaigns/comments/<uuid:comment_id>/hide",
        admin_api.AdminCommentHideView.as_view(),
        name="admin-comment-hide",
    ),
]
