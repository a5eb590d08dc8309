"""/sandbox/: the offline Paystack (404 whenever a real key is set, and in production)."""

from django.urls import path

from . import api as views

urlpatterns = [
    path("paystack/transaction/initialize", views.initialize, name="sandbox-paystack-initialize"),
    path(
        "paystack/transaction/verify/<str:reference>",
        views.verify,
        name="sandbox-paystack-verify",
    ),
    path("paystack/refund", views.refund, name="sandbox-paystack-refund"),
    path("paystack/bank", views.banks, name="sandbox-paystack-banks"),
    path("paystack/bank/resolve", views.resolve, name="sandbox-paystack-resolve"),
    path(
        "paystack/transferrecipient",
        views.transfer_recipient,
        name="sandbox-paystack-transfer-recipient",
    ),
    path("paystack/transfer", views.transfer, name="sandbox-paystack-transfer"),
    path(
        "paystack/transfer/finalize_transfer",
        views.finalize_transfer,
        name="sandbox-paystack-finalize-transfer",
    ),
    path(
        "paystack/transfer/verify/<str:reference>",
        views.verify_transfer,
        name="sandbox-paystack-verify-transfer",
    ),
    path("checkout/<str:access_code>", views.checkout, name="sandbox-checkout"),
]
