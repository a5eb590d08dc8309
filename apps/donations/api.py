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
from apps.core.idempotency import HEADER, idempotent_response
from apps.core.pagination import PageNumberPagination, clean_page_link, page_params, paginated

from . import serializers as s
from .selectors import donation_leaderboard, donation_list_public
from .services import donation_initialize, donation_refresh

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


class DonationVerifyView(APIView):
    """A donation's status by reference; a pending one past its grace period is checked
    with Paystack and settled through the same path as the webhook."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.DonationStatusOutput})
    def get(self, request, reference: str):
        donation = donation_refresh(reference=reference)
        return Response(s.DonationStatusOutput(donation).data)


class CampaignDonationsView(APIView):
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
            for link in ("next", "previous"):
                if data.get(link):
                    data[link] = clean_page_link(data[link], params)
            return data

        return public_campaign_page(
            request,
            slug=slug,
            kind="donations",
            # the host too: the next/previous links carry it
            params={**params, "base": request.build_absolute_uri(request.path)},
            build=build,
        )


class CampaignLeaderboardView(APIView):
    """Top donors by total given (top 10; `?limit=` up to 100)."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.LeaderboardOutput}, parameters=[OpenApiParameter("limit", int)]
    )
    def get(self, request, slug: str):
        query = s.LeaderboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]

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
