"""OpenAPI: the one error shape (apps/core/errors.py) as the `Error` component, and on
every operation the error statuses it can answer.

The statuses are worked out from the view, so that no view has to list them:

* 400 when the operation takes a body or query parameters (refused input);
* 401 and 403 when an anonymous request is refused by its permissions; 401 alone (a bad
  or expired token) on an endpoint that needs no sign-in but reads a Bearer token when
  one is sent (the caller is then known: a signed-in donor, a campaign's organiser);
  neither on an endpoint that reads no token (`PublicEndpointMixin`) unless it names 401
  in `error_statuses` (refused credentials: login, token refresh);
* 404 when its path names an object, or it lists pages (`?page=` past the end, also
  for the lists a view pages itself with `paginated_response`);
* 409 when it honours an `Idempotency-Key` header (apps/core/idempotency.py);
* 429 when it has throttles;
* any a view names in `error_statuses` (502 and 503 where it calls a provider).

A status the view's own `@extend_schema(responses=...)` declares is left as it is.

Names, so that a generated client reads well:

* operation ids are the path's words and what the operation does: `campaigns_list`
  (a GET answering a list or a page), `campaigns_retrieve`, `campaigns_create` (a POST to
  a collection that also lists), `donations_initialize` (a POST naming an action: no
  suffix), `..._update`, `..._partial_update`, `..._destroy`;
* request bodies are their own components (COMPONENT_SPLIT_REQUEST): `LoginRequest` for
  the `LoginInput` serializer, so that read-only fields are never listed as input.

Money: a serializer names its integer money fields and the currency each is counted in
(`money_fields = {"amount": "currency"}`, a field of the same object, or a phrase such as
"the campaign's currency"); each such property says so in its description.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import Direction
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .query import PAGE_PARAMETERS

_ERROR_DESCRIPTIONS = {
    400: "Refused input: `validation_error` (with `fields`), `malformed_request`, "
    "`invalid_request`, `unknown_parameter` (a list's query names a parameter it does not "
    "read) or an endpoint's own code.",
    401: "`not_authenticated` (no token) or `authentication_failed` (a bad or expired one).",
    # 401 on an endpoint that needs no sign-in but reads a token when one is sent.
    -401: "`authentication_failed`: only when an `Authorization` header is sent and its "
    "token is bad or expired (this endpoint needs no sign-in: send no header rather than "
    "a stale token).",
    403: "`permission_denied`, or an endpoint's own refusal.",
    404: "`not_found`.",
    409: "`conflict`, `idempotency_key_in_progress`, `idempotency_key_reused`, or an "
    "endpoint's own code.",
    429: "`rate_limited`, with `retry_after` (seconds) and a `Retry-After` header.",
    502: "`upstream_error`: a provider failed or answered what we could not use.",
    503: "Temporarily unavailable (an endpoint's own code); retry later.",
}


_PAGE_DESCRIPTIONS = {
    "page": "A page number, from 1; past the last page is 404.",
    "page_size": "Items per page (at most 100).",
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable and machine-readable; every code is listed in docs/errors.md."
    )
    message = serializers.CharField(help_text="For a developer reading it.")

    def get_fields(self) -> dict[str, serializers.Field]:
        # `fields` cannot be a class attribute: it is the Serializer's own property.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text="Only where particular input fields are at fault: each field's messages.",
        )
        fields["request_id"] = serializers.CharField(help_text="Quote it when reporting.")
        fields["retry_after"] = serializers.IntegerField(
            required=False, help_text="On 429: seconds to wait before retrying."
        )
        fields["valid"] = serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="Where a value is not one of a known set (`unknown_category`): the "
            "values accepted.",
        )
        return fields


class ErrorSerializer(serializers.Serializer):
    """The one error shape every refusal of the API answers with."""

    error = ErrorDetailSerializer()


def _money_description(currency: str, fields: Any) -> str:
    where = f"the currency in `{currency}`" if currency in fields else currency
    return f"An integer amount in minor units (kobo, cents, pesewas) of {where}."


def _page_of(serializer: Any) -> bool:
    """Whether an answer's serializer is a list or a page of items (`paginated()`)."""
    if isinstance(serializer, type):
        if not issubclass(serializer, serializers.BaseSerializer):
            return False
        serializer = serializer()
    if isinstance(serializer, serializers.ListSerializer):
        return True
    fields = getattr(serializer, "fields", {})
    return isinstance(fields.get("results"), serializers.ListSerializer)


class AutoSchema(SpectacularAutoSchema):
    def _anonymous_allowed(self) -> bool:
        """Whether the view's permissions let a request without a token through."""
        django_request = APIRequestFactory().generic(self.method.upper(), self.path)
        request = Request(django_request)
        request.user = AnonymousUser()
        try:
            return all(p.has_permission(request, self.view) for p in self.view.get_permissions())
        except Exception:  # a permission reading more than the request: not public
            return False

    def _ok_answer(self) -> Any:
        """The serializer of the operation's 200 answer, if it has one."""
        answers = self.get_response_serializers()
        if isinstance(answers, dict):
            answers = answers.get(200) or answers.get("200")
        if isinstance(answers, tuple):  # (serializer, media type)
            answers = answers[0]
        return getattr(answers, "response", answers)  # OpenApiResponse

    def _is_list_answer(self) -> bool:
        return self.method.upper() == "GET" and (
            self._is_list_view() or _page_of(self._ok_answer())
        )

    def _paged_by_view(self) -> bool:
        """A GET answering a page (`paginated()`), paged by the view itself."""
        answer = self._ok_answer()
        listed = isinstance(force_instance(answer), serializers.ListSerializer)
        return _page_of(answer) and not listed

    def _get_parameters(self) -> list[dict[str, Any]]:
        """The view's own parameters, and the query parameters a list accepts that it
        does not declare itself (`page` and `page_size` where it pages by hand)."""
        parameters: list[dict[str, Any]] = super()._get_parameters()
        accepted = getattr(self.view, "accepted_query_parameters", None)
        if accepted is None or self.method.upper() != "GET":
            return parameters
        declared = {p["name"] for p in parameters if p.get("in") == "query"}
        for name in accepted():
            if name in declared:
                continue
            schema = (
                {"type": "integer", "minimum": 1} if name in PAGE_PARAMETERS else {"type": "string"}
            )
            parameter = {"in": "query", "name": name, "schema": schema}
            if name in _PAGE_DESCRIPTIONS:
                parameter["description"] = _PAGE_DESCRIPTIONS[name]
            parameters.append(parameter)
        return parameters

    def _error_statuses(self) -> set[int]:
        statuses: set[int] = set()
        view = self.view
        method = self.method.upper()
        if method in {"POST", "PUT", "PATCH"} and self.get_request_serializer() is not None:
            statuses.add(400)
        parameters = self._get_parameters()
        if any(p.get("in") == "query" for p in parameters):
            statuses.add(400)
        if any(p.get("in") == "header" and p.get("name") == IDEMPOTENCY_HEADER for p in parameters):
            statuses.add(409)
        if not self._anonymous_allowed():
            statuses.update({401, 403})
        elif view.get_authenticators():
            statuses.add(-401)  # only a bad token sent anyway
        if "{" in self.path:
            statuses.add(404)
        paginator = self._get_paginator()
        if self._is_list_view() and isinstance(paginator, BasePagination):
            statuses.add(404)
        if method == "GET" and self._paged_by_view():
            statuses.add(404)
        if method == "GET" and hasattr(view, "accepted_query_parameters"):
            statuses.add(400)  # unknown_parameter
        if view.get_throttles():
            statuses.add(429)
        statuses.update(getattr(view, "error_statuses", ()))
        if 401 in statuses:
            statuses.discard(-401)
        return statuses

    def get_auth(self) -> list[dict[str, Any]]:
        auths: list[dict[str, Any]] = super().get_auth()
        if {} not in auths and self._anonymous_allowed():
            auths.append({})
        # An operation that reads no token at all (register, login, categories...) lists
        # no `security`: `[{}]` means the same in OpenAPI, but generated clients
        # (openapi-python-client) take any `security` list as needing a signed-in client.
        return [] if auths == [{}] else auths

    def get_operation_id(self) -> str:
        words = [token.replace("-", "_") for token in self._tokenize_path()] or ["root"]
        method = self.method.upper()
        if method == "GET":
            action = "list" if self._is_list_answer() else "retrieve"
        elif method == "POST":
            # A POST to a collection that also lists creates; any other names an action
            # (`donations/initialize`, `campaigns/{id}/submit`) and needs no suffix.
            action = "create" if "GET" in self.view.allowed_methods else ""
        else:
            action = self.method_mapping[method.lower()]
        return "_".join([*words, action] if action else words)

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Direction) -> str:
        name = super().get_serializer_name(serializer, direction)
        if direction == "request" and name.endswith("Input"):
            name = name.removesuffix("Input")  # `Request` is appended: LoginRequest
        return name

    def _map_serializer(self, serializer: Any, direction: str, bypass_extensions: bool = False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        money = getattr(serializer, "money_fields", None)
        if money and "properties" in schema:
            fields = getattr(force_instance(serializer), "fields", {})
            for name, currency in money.items():
                prop = schema["properties"].get(name)
                if prop is None:
                    continue
                note = _money_description(currency, fields)
                described = prop.get("description")
                prop["description"] = f"{described} {note}" if described else note
        return schema

    def _get_response_bodies(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(*args, **kwargs)
        error = self._get_response_for_code(
            ErrorSerializer, "400", media_types=["application/json"]
        )
        ref = error["content"]["application/json"]["schema"]
        for code in sorted(self._error_statuses(), key=abs):
            responses.setdefault(
                str(abs(code)),
                {
                    "content": {"application/json": {"schema": ref}},
                    "description": _ERROR_DESCRIPTIONS[code],
                },
            )
        return responses
