from django.urls import path

from . import api

urlpatterns = [
    path("rates", api.RateQuoteView.as_view(), name="rates"),
    path("donations/initialize", api.DonationInitializeView.as_view(), name="donation-initialize"),
    path(
        "donations/verify/<str:reference>",
        api.DonationVerifyView.as_view(),
        name="donation-verify",
    ),
    path(
        "campaigns/<slug:slug>/donations",
        api.CampaignDonationsView.as_view(),
        name="campaign-donations",
    ),
    path(
        "campaigns/<slug:slug>/leaderboard",
        api.CampaignLeaderboardView.as_view(),
        name="campaign-leaderboard",
    ),
]
