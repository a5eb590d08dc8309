"""Public donation endpoints: initialize, verify, a campaign's donations and leaderboard."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from apps.campaigns.models import Campaign
from apps.campaigns.pages import public_campaign_page
from apps.core.errors import InvalidInput
from apps.core.http import PublicEndpointMixin
from apps.core.idempotency import HEADER, idempotent_response
from apps.core.pagination import PageNumberPagination, clean_page_links, page_params, paginated
from apps.core.query import KnownQueryParameters, validated_query
from apps.currency.selectors import currency_get

from . import serializers as s
from .selectors import donation_leaderboard, donation_list_public
from .services import donation_initialize, donation_price, donation_refresh

INITIALIZE_SCOPE = "donations.initialize"


class DonationInitializeThrottle(SimpleRateThrottle):
    """Per client address (signed in or not): each call starts a Paystack transaction."""

    scope = "donation_initialize"

    def get_rate(self) -> str:
        return settings.DONATION_INITIALIZE_THROTTLE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class DonationInitializeView(APIView):
    """Start a donation. No login needed; a signed-in donor (Bearer token) is linked.

    `Idempotency-Key` (optional): the same key with the same body answers what the first
    request answered, without a second donation or Paystack call; another body is 409.
    """

    permission_classes = [AllowAny]
    throttle_classes = [DonationInitializeThrottle]
    # OpenAPI (apps/core/schema.py): Paystack failed; no fresh exchange rate.
    error_statuses = (502, 503)

    @extend_schema(
        request=s.DonationInitializeInput,
        responses={201: s.DonationInitializeOutput},
        parameters=[OpenApiParameter(HEADER, str, location=OpenApiParameter.HEADER)],
    )
    def post(self, request):
        return idempotent_response(
            request, scope=INITIALIZE_SCOPE, handler=lambda: self._initialize(request)
        )

    def _initialize(self, request) -> Response:
        data = s.DonationInitializeInput(data=request.data)
        data.is_valid(raise_exception=True)
        donation = donation_initialize(**data.validated_data, donor=request.user)
        body = s.DonationInitializeOutput(donation).data
        return Response(body, status=status.HTTP_201_CREATED)


_QUOTE_DIGITS_MAX = 19  # a bigint; anything longer is refused before any arithmetic


def _quote_amount(request, name: str, *, required: bool) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if required:
            message = "This parameter is required: a whole number of minor units."
            raise InvalidInput(f"{name}: {message}", fields={name: [message]})
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > _QUOTE_DIGITS_MAX:
        message = "Must be a whole, non-negative number of minor units (digits only)."
        raise InvalidInput(f"{name}: {message}", code="invalid_amount", fields={name: [message]})
    return int(raw)


def _quote_currency(request, name: str) -> str:
    raw = request.query_params.get(name, "")
    if not raw:
        message = "This parameter is required: an ISO 4217 code (GET /v1/currencies)."
        raise InvalidInput(f"{name}: {message}", fields={name: [message]})
    return currency_get(raw.strip().upper(), field=name).code


def _quote_flag(request, name: str) -> bool:
    raw = request.query_params.get(name, "false").strip().lower()
    if raw not in ("true", "false", "1", "0"):
        message = "Must be true or false."
        raise InvalidInput(f"{name}: {message}", fields={name: [message]})
    return raw in ("true", "1")


class RateQuoteView(PublicEndpointMixin, APIView):
    permission_classes = [AllowAny]
    # OpenAPI (apps/core/schema.py): no fresh exchange rate for the pair.
    error_statuses = (503,)

    @extend_schema(
        operation_id="rates_quote",
        parameters=[
            OpenApiParameter(
                "from", str, required=True, description="The donor's currency (ISO 4217)."
            ),
            OpenApiParameter(
                "to", str, required=True, description="The campaign's currency (ISO 4217)."
            ),
            OpenApiParameter(
                "amount",
                int,
                required=True,
                description="The gift, in minor units of `from` (at least its "
                "`minimum_donation`, GET /v1/currencies).",
            ),
            OpenApiParameter(
                "tip_amount", int, description="A tip to the platform, minor units of `from`."
            ),
            OpenApiParameter(
                "cover_fee", bool, description="The donor pays the fee on top (default false)."
            ),
        ],
        responses={200: s.RateQuoteOutput},
    )
    def get(self, request):
        """Quote a donation of `amount` in `from` to a campaign raising in `to`: the
        adjusted exchange rate, the converted amount, the fee and what the campaign nets,
        exactly as `POST /v1/donations/initialize` would charge it at this moment (the
        same code prices both). Refusals are initialize's: `unknown_currency`,
        `currency_disabled`, `currency_not_configured`, `invalid_amount`,
        `amount_too_small` (below the minimum donation, or nothing left after the fee),
        `amount_too_large` (400); `exchange_rate_missing` or `exchange_rate_stale` (503)
        when no current rate converts the pair."""
        source = _quote_currency(request, "from")
        target = _quote_currency(request, "to")
        price = donation_price(
            amount=_quote_amount(request, "amount", required=True),
            tip_amount=_quote_amount(request, "tip_amount", required=False),
            cover_fee=_quote_flag(request, "cover_fee"),
            currency=source,
            campaign_currency=target,
            currency_field="from",
        )
        return Response(s.RateQuoteOutput(price.amounts()).data)


class DonationVerifyView(APIView):
    """A donation's status by reference; a pending one past its grace period is checked
    with Paystack and settled through the same path as the webhook."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.DonationStatusOutput})
    def get(self, request, reference: str):
        donation = donation_refresh(reference=reference)
        return Response(s.DonationStatusOutput(donation).data)


class CampaignDonationsView(KnownQueryParameters, APIView):
    """Recent succeeded donations of a campaign (current or former slug), newest first."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: paginated(s.PublicDonationOutput)},
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    def get(self, request, slug: str):
        params = page_params(request)

        def build(campaign: Campaign) -> dict[str, Any]:
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(
                donation_list_public(campaign=campaign), request, view=self
            )
            data = paginator.get_paginated_response(
                s.PublicDonationOutput(page, many=True).data
            ).data
            return clean_page_links(data, params)

        return public_campaign_page(
            request,
            slug=slug,
            kind="donations",
            # the host too: the next/previous links carry it
            params={**params, "base": request.build_absolute_uri(request.path)},
            build=build,
        )


class CampaignLeaderboardView(KnownQueryParameters, APIView):
    """Top donors by total given (top 10; `?limit=` up to 100)."""

    query_parameters = ("limit",)
    paged = False

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.LeaderboardOutput}, parameters=[OpenApiParameter("limit", int)]
    )
    def get(self, request, slug: str):
        limit = validated_query(s.LeaderboardQuery, request)["limit"]

        def build(campaign: Campaign) -> dict[str, Any]:
            rows = donation_leaderboard(campaign=campaign, limit=limit)
            for rank, row in enumerate(rows, start=1):
                row.rank = rank  # type: ignore[attr-defined]  # read by LeaderboardOutput
            return s.LeaderboardOutput(
                {"campaign": campaign.slug, "currency": campaign.currency_id, "results": rows}
            ).data

        return public_campaign_page(
            request, slug=slug, kind="leaderboard", params={"limit": limit}, build=build
        )
