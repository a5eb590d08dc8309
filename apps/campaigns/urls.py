from django.urls import path

from . import api

# `campaigns/mine` comes before `campaigns/<slug>`; "mine" is a reserved slug.
urlpatterns = [
    path("categories", api.CategoryListView.as_view(), name="categories"),
    path("campaigns", api.CampaignListCreateView.as_view(), name="campaigns"),
    path("campaigns/mine", api.CampaignMineView.as_view(), name="campaigns-mine"),
    path(
        "campaigns/<uuid:campaign_id>/submit",
        api.CampaignSubmitView.as_view(),
        name="campaign-submit",
    ),
    path(
        "campaigns/<uuid:campaign_id>/close", api.CampaignCloseView.as_view(), name="campaign-close"
    ),
    path(
        "campaigns/<slug:slug>/comments",
        api.CommentListCreateView.as_view(),
        name="campaign-comments",
    ),
    path(
        "campaigns/<slug:slug>/comments/<uuid:comment_id>",
        api.CommentDeleteView.as_view(),
        name="campaign-comment",
    ),
    path("campaigns/<slug:key>", api.CampaignDetailView.as_view(), name="campaign"),
]
