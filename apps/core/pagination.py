"""Pages of `{count, next, previous, results}`: the paginator, a view helper, and the
schema of a page for the API docs."""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rest_framework import pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class PageNumberPagination(pagination.PageNumberPagination):
    """`{count, next, previous, results}`; `?page=` and `?page_size=` (at most 100)."""

    page_size_query_param = "page_size"
    max_page_size = 100


def page_params(request: Request) -> dict[str, Any]:
    """The page and page size a request asks for, normalised as the paginator reads them
    (an unusable page is left raw: the paginator answers it 404, never cached)."""
    paginator = PageNumberPagination()
    page: Any = request.query_params.get(paginator.page_query_param, "1")
    if page.isdigit():
        page = int(page)
    return {"page": page, "page_size": paginator.get_page_size(request)}


def clean_page_link(url: str, params: dict[str, Any]) -> str:
    """A next/previous link carrying only the known parameters, at their validated values
    (the page number is the paginator's): a cached page is served to everyone, so no
    client's extra parameters may end up in it."""
    parts = urlsplit(url)
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in seen or name not in params:
            continue
        seen.add(name)
        kept.append((name, value if name == "page" else str(params[name])))
    return urlunsplit(parts._replace(query=urlencode(kept)))


def clean_page_links(data: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A page's `next` and `previous` links through `clean_page_link`, in place."""
    for link in ("next", "previous"):
        if data.get(link):
            data[link] = clean_page_link(data[link], params)
    return data


def paginated_response(
    request: Request,
    view: APIView,
    queryset: Any,
    serializer_class: type[serializers.Serializer],
    context: Callable[[list[Any]], dict[str, Any]] | None = None,
) -> Response:
    """One page of `queryset`, serialized, in the page shape. `context(page)` gives the
    serializer what it reads for the whole page at once (no query per row)."""
    paginator = PageNumberPagination()
    page = list(paginator.paginate_queryset(queryset, request, view=view) or [])
    extra = context(page) if context else {}
    return paginator.get_paginated_response(serializer_class(page, many=True, context=extra).data)


def paginated(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The `{count, next, previous, results}` page of `item`, for the API schema."""
    return type(
        f"{item.__name__.removesuffix('Output')}Page",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
