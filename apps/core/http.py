from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest
from rest_framework.authentication import BaseAuthentication


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only for NUM_PROXIES hops.

    Used for lockouts and rate limits, so a client cannot pick its own address by
    sending the header when no proxy is in front of us.
    """
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if num_proxies and forwarded:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            return hops[-min(num_proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 (an internal request)


# An endpoint that takes no Bearer token (login, refresh, codes).
#
# It still answers a refused credential with 401 and `WWW-Authenticate: Bearer`, where
# DRF would otherwise turn a 401 into a 403 for views without authenticators. (A comment,
# not a docstring: OpenAPI would show it as the description of every public endpoint.)
class PublicEndpointMixin:
    authentication_classes: Sequence[type[BaseAuthentication]] = []

    def get_authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
