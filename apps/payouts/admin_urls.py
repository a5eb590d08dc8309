from django.urls import path

from . import admin_api

urlpatterns = [
    path("payouts", admin_api.PayoutListView.as_view(), name="admin-payouts"),
    path(
        "payouts/two-factor/initialize",
        admin_api.TwoFactorInitializeView.as_view(),
        name="admin-payouts-two-factor",
    ),
    path("payouts/approve", admin_api.ApproveView.as_view(), name="admin-payouts-approve"),
    path("payouts/<uuid:withdrawal_id>", admin_api.PayoutDetailView.as_view(), name="admin-payout"),
    path(
        "payouts/<uuid:withdrawal_id>/reject",
        admin_api.RejectView.as_view(),
        name="admin-payout-reject",
    ),
    path(
        "payouts/<uuid:withdrawal_id>/finalize",
        admin_api.FinalizeView.as_view(),
        name="admin-payout-finalize",
    ),
]
