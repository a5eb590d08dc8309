"""The OpenAPI contract at /v1/schema, generated in-process (apps/core/schema.py)."""

import json
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _error_ref(response: dict[str, Any]) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def test_the_error_shape_is_a_component(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["error"]
    detail = components[components["Error"]["properties"]["error"]["$ref"].split("/")[-1]]
    assert set(detail["properties"]) >= {"code", "message", "fields", "request_id"}
    assert set(detail["required"]) == {"code", "message", "request_id"}


def test_every_operation_declares_the_error_statuses_it_can_answer(schema):
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        errors = {code for code in responses if code[0] in "45"}
        assert errors, f"{method} {path} declares no error status"
        for code in errors:
            if "content" in responses[code] and code not in {"400", "409"}:
                assert _error_ref(responses[code]) == "#/components/schemas/Error", (path, code)
        if "security" in operation and {} not in operation["security"]:
            assert {"401", "403"} <= errors, f"{method} {path} needs auth"
        if "{" in path:
            assert "404" in errors, f"{method} {path} names an object"
        if method in {"post", "put", "patch"} and "requestBody" in operation:
            assert "400" in errors, f"{method} {path} takes a body"


def test_statuses_follow_the_view(schema):
    def codes(method: str, path: str) -> set[str]:
        return set(schema["paths"][path][method]["responses"])

    # Throttled, idempotent, calls Paystack and converts currencies; no login needed.
    initialize = codes("post", "/v1/donations/initialize")
    assert {"400", "409", "429", "502", "503"} <= initialize
    assert "401" not in initialize and "403" not in initialize
    # Signed in, names an object.
    assert {"401", "403", "404"} <= codes("get", "/v1/withdrawal/{withdrawal_id}")
    assert _error_ref(schema["paths"]["/v1/users/login"]["post"]["responses"]["429"]) == (
        "#/components/schemas/Error"
    )


def test_what_a_frontend_needs_is_described(schema):
    def operation(path: str) -> dict[str, Any]:
        return schema["paths"][path]["get"]

    rates = operation("/v1/rates")
    assert {"200", "400", "503"} <= set(rates["responses"])
    assert "401" not in rates["responses"]
    assert {p["name"] for p in rates["parameters"] if p.get("required")} == {"from", "to", "amount"}
    quote = rates["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    quoted = schema["components"]["schemas"][quote.split("/")[-1]]["properties"]
    assert {"fx_rate", "fee", "net_to_campaign", "campaign_gift", "charged"} <= set(quoted)
    categories = operation("/v1/categories")["responses"]["200"]["content"]["application/json"]
    assert categories["schema"]["type"] == "array"
    currencies = operation("/v1/currencies")["responses"]["200"]["content"]["application/json"]
    components = schema["components"]["schemas"]
    page = components[currencies["schema"]["$ref"].split("/")[-1]]
    row = components[page["properties"]["results"]["items"]["$ref"].split("/")[-1]]
    assert {"can_donate", "donate_to", "receive_from"} <= set(row["properties"])
    detail = schema["components"]["schemas"]["ErrorDetail"]["properties"]
    assert detail["valid"]["type"] == "array"


def test_every_operation_has_a_description_and_typed_answers(schema):
    for method, path, operation in _operations(schema):
        assert operation.get("description", "").strip(), f"{method} {path} has no description"
        for code, response in operation["responses"].items():
            if code == "204":
                continue
            assert "content" in response, f"{method} {path} {code} describes no body"
            for media in response["content"].values():
                assert media.get("schema"), f"{method} {path} {code} has no schema"


def test_internal_notes_are_not_descriptions(schema):
    for name, component in schema["components"]["schemas"].items():
        assert "refuses fields" not in component.get("description", ""), name
    for method, path, operation in _operations(schema):
        assert "takes no Bearer token" not in operation["description"], (method, path)


def test_the_served_schema_validates(client):
    answer = client.get("/v1/schema", {"format": "json"})
    assert answer.status_code == 200
    served = json.loads(answer.content)
    validate(served)
    assert served["components"]["schemas"]["Error"]
