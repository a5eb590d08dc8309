from django.urls import path

from . import api

urlpatterns = [
    path("currencies", api.CurrencyListView.as_view(), name="currencies"),
]
