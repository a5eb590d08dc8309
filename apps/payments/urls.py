from django.urls import path

from . import api

urlpatterns = [
    path("paystack/webhook", api.paystack_webhook, name="paystack-webhook"),
]
