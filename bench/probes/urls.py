"""The probe's URLconf: the app's URLs plus the ceilings it is measured against.

`/bench/bare`: a DRF view returning 20 small objects through the same middleware;
`/bench/bare-query`: the same after one trivial query; `/bench/bare-paystack`: the same
after one Paystack call (`initialize_transaction`, like donation initialize makes).
"""

import uuid

from django.db import connection
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.payments.paystack import get_paystack_client
from krogiving.urls import (  # noqa: F401 (the error handlers)
    handler400,
    handler403,
    handler404,
    handler500,
)
from krogiving.urls import urlpatterns as app_urlpatterns

_ITEMS = [{"id": n, "name": f"item {n}", "value": n * 100} for n in range(20)]


class Bare(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"results": _ITEMS})


class BareQuery(Bare):
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Response({"results": _ITEMS})


class BarePaystack(Bare):
    def get(self, request):
        started = get_paystack_client().initialize_transaction(
            email="bench@example.com",
            amount=500000,
            currency="NGN",
            reference=f"bare-{uuid.uuid4().hex}",
        )
        return Response({"results": _ITEMS, "access_code": started.access_code})

    post = get


urlpatterns = [
    path("bench/bare", Bare.as_view()),
    path("bench/bare-query", BareQuery.as_view()),
    path("bench/bare-paystack", BarePaystack.as_view()),
    path("", include(app_urlpatterns)),
]
