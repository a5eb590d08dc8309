"""The site's URLs plus a bare DRF view (20 small objects), for the settlement probe's
intake ratio: the ceiling through the same middleware."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

ITEMS = [{"id": i, "name": f"item {i}", "value": i * 100} for i in range(20)]


class BareView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request):
        return Response(ITEMS)


urlpatterns = [
    path("probe/bare", BareView.as_view()),
    path("", include("krogiving.urls")),
]
