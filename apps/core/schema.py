"""OpenAPI: the one error shape (apps/core/errors.py) as the `Error` component, and on
every operation the error statuses it can answer.

The statuses are worked out from the view, so that no view has to list them:

* 400 when the operation takes a body or query parameters (refused input);
* 401 and 403 when its permissions are not all `AllowAny`;
* 404 when its path names an object, or it lists pages (`?page=` past the end);
* 409 when it honours an `Idempotency-Key` header (apps/core/idempotency.py);
* 429 when it has throttles;
* any a view names in `error_statuses` (502 and 503 where it calls a provider).

A status the view's own `@extend_schema(responses=...)` declares is left as it is.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny

from .idempotency import HEADER as IDEMPOTENCY_HEADER

_ERROR_DESCRIPTIONS = {
    400: "Refused input: `validation_error` (with `fields`), `malformed_request`, "
    "`invalid_request` or an endpoint's own code.",
    401: "`not_authenticated` (no token) or `authentication_failed` (a bad or expired one).",
    403: "`permission_denied`, or an endpoint's own refusal.",
    404: "`not_found`.",
    409: "`conflict`, `idempotency_key_in_progress`, `idempotency_key_reused`, or an "
    "endpoint's own code.",
    429: "`rate_limited`, with `retry_after` (seconds) and a `Retry-After` header.",
    502: "`upstream_error`: a provider failed or answered what we could not use.",
    503: "Temporarily unavailable (an endpoint's own code); retry later.",
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


class AutoSchema(SpectacularAutoSchema):
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
        if not all(isinstance(p, AllowAny) for p in view.get_permissions()):
            statuses.update({401, 403})
        if "{" in self.path:
            statuses.add(404)
        paginator = self._get_paginator()
        if self._is_list_view() and isinstance(paginator, BasePagination):
            statuses.add(404)
        if view.get_throttles():
            statuses.add(429)
        statuses.update(getattr(view, "error_statuses", ()))
        return statuses

    def _get_response_bodies(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(*args, **kwargs)
        error = self._get_response_for_code(
            ErrorSerializer, "400", media_types=["application/json"]
        )
        ref = error["content"]["application/json"]["schema"]
        for code in sorted(self._error_statuses()):
            responses.setdefault(
                str(code),
                {
                    "content": {"application/json": {"schema": ref}},
                    "description": _ERROR_DESCRIPTIONS[code],
                },
            )
        return responses
