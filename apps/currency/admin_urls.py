from django.urls import path

from . import admin_api

urlpatterns = [
    path("exchange-rates", admin_api.ExchangeRateListView.as_view(), name="admin-exchange-rates"),
    path(
        "exchange-rates/<uuid:rate_id>/revoke",
        admin_api.ExchangeRateRevokeView.as_view(),
        name="admin-exchange-rate-revoke",
    ),
]
