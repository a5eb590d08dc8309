"""Public and organiser endpoints for campaigns and their comments.

Another user (staff included) touching a campaign that is not theirs through the
organiser endpoints gets 404, as if it did not exist. Changing a field the campaign's
status does not allow is 409 `field_not_editable`, naming the field in `fields`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from apps.core.errors import NotFound
from apps.core.http import PublicEndpointMixin
from apps.core.pagination import (
    clean_page_links,
    page_params,
    paginated,
    paginated_response,
)
from apps.core.query import KnownQueryParameters, validated_query
from apps.users.permissions import request_has_second_factor

from . import cache
from . import serializers as s
from .pages import json_response, public_campaign_page, resolve_slug
from .selectors import (
    ORDERINGS,
    campaign_detail,
    campaign_get_for_organizer,
    campaign_get_visible,
    campaign_id_for_slug,
    campaign_is_public,
    campaign_list_check_filters,
    campaign_list_for_organizer,
    campaign_list_public,
    campaign_money_for,
    campaign_sees_private,
    campaign_visible_to,
    category_list_public,
    comment_get_own,
    comment_list_public,
)
from .services import (
    campaign_close,
    campaign_create,
    campaign_submit,
    campaign_update,
    comment_create,
    comment_delete,
)


class CommentPostThrottle(UserRateThrottle):
    """Posting comments: per user, with its own rate (no settings entry needed)."""

    scope = "campaign_comment"
    rate = "10/min"


def _plain(data: Any) -> Any:
    """JSON-safe plain data (no serializer references), for the cache."""
    return json.loads(JSONRenderer().render(data))


def _owner_campaign(request, campaign_id: Any):
    try:
        campaign_id = uuid.UUID(str(campaign_id))
    except ValueError as exc:
        raise NotFound("No such campaign.") from exc
    return campaign_get_for_organizer(campaign_id=campaign_id, organizer=request.user)


class CampaignListCreateView(KnownQueryParameters, APIView):
    query_parameters = ("q", "category", "currency", "ordering")
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="campaigns_list",
        parameters=[
            OpenApiParameter("q", str, description="Full-text search on title and story"),
            OpenApiParameter("category", str, description="Category slug"),
            OpenApiParameter("currency", str, description="ISO 4217 code"),
            OpenApiParameter("ordering", str, enum=list(ORDERINGS)),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: paginated(s.CampaignListItemOutput)},
    )
    def get(self, request):
        """Public campaigns: search, filter by category and currency, order, page."""
        query = validated_query(s.CampaignListQuery, request)
        params = {key: value for key, value in query.items() if value}
        paging = page_params(request)
        # Keyed by the validated parameters only, never by the raw query string.
        key = cache.list_key(
            params={**params, **paging},
            base_url=request.build_absolute_uri(request.path),
        )
        # The version is read (with the entry) before the rows.
        body, version = cache.list_lookup(key)
        if body is not None:
            return json_response(body)
        campaign_list_check_filters(
            category=params.get("category"), currency=params.get("currency")
        )
        data = paginated_response(
            request, self, campaign_list_public(**params), s.CampaignListItemOutput
        ).data
        clean_page_links(data, {**params, **paging})
        body = JSONRenderer().render(data)
        assert version is not None  # a miss answers the version to store under
        cache.list_set(key, version, body)
        return json_response(body)

    @extend_schema(request=s.CampaignCreateInput, responses={201: s.CampaignOwnerOutput})
    def post(self, request):
        """Start a campaign as a draft; you are its organiser."""
        data = s.CampaignCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = campaign_create(organizer=request.user, **data.validated_data)
        campaign = campaign_detail(created.pk)
        return Response(s.CampaignOwnerOutput(campaign).data, status=status.HTTP_201_CREATED)


class CategoryListView(KnownQueryParameters, PublicEndpointMixin, APIView):
    permission_classes = [AllowAny]
    # Takes no query parameter and refuses any sent (apps/core/query.py).
    paged = False

    @extend_schema(operation_id="categories_list", responses={200: s.CategoryOutput(many=True)})
    def get(self, request):
        """Every category (slug, name) and the count of its public campaigns: those
        `GET /v1/campaigns?category=<slug>` lists. In the categories' display order.
        Takes no query parameters: any sent is refused (400 `unknown_parameter`)."""
        # The version is read before the rows, so a concurrent change cannot be cached late.
        version = cache.list_version()
        rows = cache.categories_get(version)
        if rows is None:
            rows = _plain(s.CategoryOutput(category_list_public(), many=True).data)
            cache.categories_set(version, rows)
        return Response(rows)


class CampaignMineView(KnownQueryParameters, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: paginated(s.CampaignOwnerOutput)})
    def get(self, request):
        """The campaigns you organise, in every status."""
        return paginated_response(
            request,
            self,
            campaign_list_for_organizer(organizer=request.user),
            s.CampaignOwnerOutput,
            context=lambda page: {"money": campaign_money_for(page)},
        )


class CampaignDetailView(APIView):
    """GET by current or former slug (public); PUT/PATCH by id (organiser only)."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated()]

    def _sees_more(self, organizer_id: str) -> bool:
        user = self.request.user
        return bool(
            user.is_authenticated
            and (str(user.pk) == organizer_id or request_has_second_factor(self.request))
        )

    @extend_schema(responses={200: s.CampaignDetailOutput})
    def get(self, request, key: str):
        # A hit: one cache round trip (slug version, detail version, entry), no query.
        found: Any = None
        memo = cache.slug_memo_get(key)
        if memo is not None:
            campaign_id, slugs_version = memo
            remembered = True
            entry, found = cache.detail_lookup(campaign_id, slugs_version=slugs_version)
            if entry is not None and not self._sees_more(entry[0]):
                return json_response(entry[1])
        if found is None:  # no memo, or the slug version moved since it was made
            resolved, slugs_version, remembered = resolve_slug(key)
            if resolved is None:
                raise NotFound("No such campaign.")
            campaign_id = resolved
            entry, found = cache.detail_lookup(campaign_id)
            if entry is not None and not self._sees_more(entry[0]):
                if not remembered:
                    cache.slug_remember(key, campaign_id, slugs_version=slugs_version)
                return json_response(entry[1])
        # The version is read before the rows, so a concurrent change cannot be cached late.
        version = cache.detail_version_from(campaign_id, found)
        campaign = campaign_detail(campaign_id)
        staff_verified = request_has_second_factor(request)
        if campaign is None or not campaign_visible_to(
            campaign, request.user, staff_verified=staff_verified
        ):
            raise NotFound("No such campaign.")
        if campaign_sees_private(campaign, request.user, staff_verified=staff_verified):
            return Response(s.CampaignOwnerOutput(campaign).data)
        body = JSONRenderer().render(s.CampaignDetailOutput(campaign).data)
        if campaign_is_public(campaign):
            cache.detail_set(campaign.pk, version, str(campaign.organizer_id), body)
            if not remembered:
                cache.slug_remember(key, campaign.pk, slugs_version=slugs_version)
        return json_response(body)

    def _update(self, request, key: str, *, partial: bool) -> Response:
        campaign = _owner_campaign(request, key)
        input_class = s.CampaignCreateInput if partial else s.CampaignReplaceInput
        data = input_class(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        campaign = campaign_update(campaign=campaign, actor=request.user, **data.validated_data)
        return Response(s.CampaignOwnerOutput(campaign_detail(campaign.pk)).data)

    @extend_schema(request=s.CampaignReplaceInput, responses={200: s.CampaignOwnerOutput})
    def put(self, request, key: str):
        return self._update(request, key, partial=False)

    @extend_schema(request=s.CampaignCreateInput, responses={200: s.CampaignOwnerOutput})
    def patch(self, request, key: str):
        return self._update(request, key, partial=True)


class CampaignSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.CampaignOwnerOutput})
    def post(self, request, campaign_id: uuid.UUID):
        """Submit your draft campaign for review."""
        campaign = _owner_campaign(request, campaign_id)
        campaign = campaign_submit(campaign=campaign, actor=request.user)
        return Response(s.CampaignOwnerOutput(campaign_detail(campaign.pk)).data)


class CampaignCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.CampaignOwnerOutput})
    def post(self, request, campaign_id: uuid.UUID):
        """Close your campaign to new donations."""
        campaign = _owner_campaign(request, campaign_id)
        campaign = campaign_close(campaign=campaign, actor=request.user)
        return Response(s.CampaignOwnerOutput(campaign_detail(campaign.pk)).data)


class CommentListCreateView(KnownQueryParameters, APIView):
    """Comments are plain text: stored and answered as sent, never rendered as HTML."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [CommentPostThrottle()]
        return []

    @extend_schema(responses={200: paginated(s.CommentOutput)})
    def get(self, request, slug: str):
        params = page_params(request)

        def build(campaign) -> dict[str, Any]:
            data = paginated_response(
                request, self, comment_list_public(campaign=campaign), s.CommentOutput
            ).data
            return clean_page_links(data, params)

        return public_campaign_page(
            request,
            slug=slug,
            kind="comments",
            params={**params, "base": request.build_absolute_uri(request.path)},
            build=build,
            comments=True,
        )

    @extend_schema(request=s.CommentInput, responses={201: s.CommentOutput})
    def post(self, request, slug: str):
        campaign = campaign_get_visible(
            slug=slug, user=request.user, staff_verified=request_has_second_factor(request)
        )
        data = s.CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_create(
            campaign=campaign, author=request.user, body=data.validated_data["body"]
        )
        return Response(s.CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class CommentDeleteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, slug: str, comment_id: uuid.UUID):
        """Delete a comment of yours."""
        campaign_id = campaign_id_for_slug(slug)
        if campaign_id is None:
            raise NotFound("No such comment.")
        comment = comment_get_own(campaign=campaign_id, comment_id=comment_id, author=request.user)
        comment_delete(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
