"""The app's URLs plus the benchmark's ceilings (never installed outside the bench).

- GET /bench/bare: a bare DRF view answering 20 small objects, through the same
  middleware and DRF machinery (authentication, renderer) as every API view: the ceiling.
- GET /bench/bare-query: the same plus one trivial query (SELECT 1).
- GET /bench/bare-paystack: the same plus one Paystack call through our client
  (`initialize_transaction`, what donation initialize makes): the initialize ceiling.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.payments.paystack import get_paystack_client
from krogiving.urls import handler400, handler403, handler404, handler500  # noqa: F401
from krogiving.urls import urlpatterns as app_urlpatterns

ITEMS = [{"id": n, "name": f"item {n}", "amount": n * 100, "active": n % 2 == 0} for n in range(20)]


class BareView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"count": len(ITEMS), "results": ITEMS})


class BareQueryView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Response({"count": len(ITEMS), "results": ITEMS})


class BarePaystackView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        started = get_paystack_client().initialize_transaction(
            email="bare@bench.local",
            amount=100_000,
            currency="NGN",
            reference=f"bare-{uuid.uuid4().hex}",
        )
        answer: dict[str, Any] = {"reference": started.reference, "results": ITEMS}
        return Response(answer)


urlpatterns = [
    path("bench/bare", BareView.as_view()),
    path("bench/bare-query", BareQueryView.as_view()),
    path("bench/bare-paystack", BarePaystackView.as_view()),
    *app_urlpatterns,
]
