"""Public reads of the platform's money policy: the currencies and what they can do."""

from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from apps.core.http import PublicEndpointMixin
from apps.core.query import KnownQueryParameters

from .pricing import currency_availability
from .serializers import CurrencyAvailabilityOutput


class CurrencyListView(KnownQueryParameters, PublicEndpointMixin, ListAPIView):
    """The currencies donations can be made in (enabled ones), with their minimum
    donation (minor units) and where a donation can go right now: `donate_to` (the
    campaign currencies a gift in this currency reaches through a current exchange rate,
    its own included) and `receive_from` (the currencies a campaign in this currency can
    be given in). A donate form for a campaign raising in X offers X's `receive_from`."""

    permission_classes = [AllowAny]
    serializer_class = CurrencyAvailabilityOutput

    def get_queryset(self):
        return currency_availability()
