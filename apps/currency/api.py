from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from apps.core.http import PublicEndpointMixin
from apps.core.query import KnownQueryParameters

from .selectors import currency_all
from .serializers import CurrencyOutput


class CurrencyListView(KnownQueryParameters, PublicEndpointMixin, ListAPIView):
    """The currencies donations can be made in, with their minimum donation (minor units)."""

    permission_classes = [AllowAny]
    serializer_class = CurrencyOutput

    def get_queryset(self):
        return [c for _, c in sorted(currency_all().items()) if c.enabled]
