"""List endpoints refuse query parameters they do not know.

One rule for every list (public and `/v1/admin/`): a GET naming a query parameter the
endpoint does not read is answered 400 `unknown_parameter`, naming the unknown ones and
listing those accepted, instead of silently ignoring a misspelt filter (`?categroy=`)
and answering an unfiltered list the client takes for a filtered one.

A list view mixes in `KnownQueryParameters` and names the parameters it reads in
`query_parameters`; `page` and `page_size` are added when it pages (`paged`, the
default). The OpenAPI schema lists exactly these (apps/core/schema.py declares `page` and
`page_size` where a view pages itself), and tests/core/test_query_parameters.py checks
that every list in the schema refuses what it does not declare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rest_framework.request import Request

from .errors import ErrorCode, InvalidInput

PAGE_PARAMETERS = ("page", "page_size")


def refuse_unknown_parameters(request: Request, accepted: Iterable[str]) -> None:
    """Raise 400 `unknown_parameter` if the query string names anything not `accepted`."""
    known = list(dict.fromkeys(accepted))
    unknown = sorted({name for name in request.query_params if name not in known})
    if not unknown:
        return
    names = ", ".join(f"`{name}`" for name in unknown)
    allowed = ", ".join(f"`{name}`" for name in known) or "none"
    raise InvalidInput(
        f"Unknown query parameter{'s' if len(unknown) > 1 else ''} {names}. "
        f"This endpoint accepts: {allowed}.",
        code=ErrorCode.UNKNOWN_PARAMETER,
        fields={name: ["Unknown query parameter."] for name in unknown},
    )


class KnownQueryParameters:
    """Mixed into a list view (before APIView): its GET refuses unknown parameters."""

    query_parameters: Sequence[str] = ()
    paged: bool = True

    def accepted_query_parameters(self) -> tuple[str, ...]:
        return (*self.query_parameters, *(PAGE_PARAMETERS if self.paged else ()))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method in ("GET", "HEAD"):
            refuse_unknown_parameters(request, self.accepted_query_parameters())


# The validated query per (serializer, raw query string), for the hot public lists: a
# query serializer's validation is a pure function of the query string and costs as
# much CPU as a cache hit's round trip (issue 15). Only valid queries are remembered;
# bounded (cleared when full), so distinct queries cannot grow it without limit. Use
# it only for serializers whose validation reads nothing but the query itself.
_VALIDATED_MEMO_SIZE = 1000
_validated_memo: dict[tuple[type, str], dict[str, Any]] = {}


def validated_query(serializer_class: type, request: Request) -> dict[str, Any]:
    """`serializer_class(data=request.query_params)`'s validated data (400 if invalid)."""
    key = (serializer_class, request.META.get("QUERY_STRING", ""))
    data = _validated_memo.get(key)
    if data is None:
        query = serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        if len(_validated_memo) >= _VALIDATED_MEMO_SIZE:
            _validated_memo.clear()
        _validated_memo[key] = data
    return dict(data)
