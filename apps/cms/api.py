from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.http import PublicEndpointMixin
from apps.core.query import KnownQueryParameters

from .services import ALLOWED_PARAMS, CmsAnswer, cms_clean_params, cms_entry, cms_list


def _response(answer: CmsAnswer) -> Response:
    response = Response(answer.body)
    # fresh | cached | stale (Strapi is down: an older copy) | local (the fixtures)
    response["X-CMS-Source"] = answer.source
    return response


class CmsCollectionView(KnownQueryParameters, PublicEndpointMixin, APIView):
    """A page of a CMS collection's entries, in Strapi's `{data: [...], meta}` shape."""

    query_parameters = ALLOWED_PARAMS
    paged = False

    permission_classes = [AllowAny]
    error_statuses = (502,)  # OpenAPI: Strapi down with nothing cached

    @extend_schema(operation_id="cms_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, collection: str) -> Response:
        params = cms_clean_params(request.query_params)
        return _response(cms_list(collection=collection, params=params))


class CmsEntryView(KnownQueryParameters, PublicEndpointMixin, APIView):
    """One CMS entry by id, documentId or slug, in Strapi's `{data: {...}, meta}` shape."""

    query_parameters = ALLOWED_PARAMS
    paged = False

    permission_classes = [AllowAny]
    error_statuses = (502,)  # OpenAPI: Strapi down with nothing cached

    @extend_schema(operation_id="cms_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, collection: str, key: str) -> Response:
        params = cms_clean_params(request.query_params)
        return _response(cms_entry(collection=collection, key=key, params=params))
