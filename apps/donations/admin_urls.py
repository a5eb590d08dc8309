from django.urls import path

from . import admin_api

urlpatterns = [
    path("donations", admin_api.AdminDonationListView.as_view(), name="admin-donations"),
    path(
        "donations/<uuid:donation_id>",
        admin_api.AdminDonationDetailView.as_view(),
        name="admin-donation",
    ),
    path(
        "donations/<uuid:donation_id>/refund",
        admin_api.AdminDonationRefundView.as_view(),
        name="admin-donation-refund",
    ),
]
