from django.urls import path

from . import api

urlpatterns = [
    path("banks", api.BankListView.as_view(), name="banks"),
    path("banks/resolve", api.BankResolveView.as_view(), name="banks-resolve"),
    path("bank-accounts", api.BankAccountListCreateView.as_view(), name="bank-accounts"),
    path(
        "bank-accounts/<uuid:account_id>",
        api.BankAccountDetailView.as_view(),
        name="bank-account",
    ),
    path("withdrawal", api.WithdrawalListCreateView.as_view(), name="withdrawals"),
    path("withdrawal/<uuid:withdrawal_id>", api.WithdrawalDetailView.as_view(), name="withdrawal"),
    path(
        "withdrawal/<uuid:withdrawal_id>/cancel",
        api.WithdrawalCancelView.as_view(),
        name="withdrawal-cancel",
    ),
]
