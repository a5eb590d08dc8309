"""The OpenAPI contract at /v1/schema, generated in-process (apps/core/schema.py)."""

import json
import re
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
    # No sign-in needed: never 403; 401 only for a bad token sent anyway (issue 14).
    assert "403" not in initialize
    assert (
        "only when"
        in schema["paths"]["/v1/donations/initialize"]["post"]["responses"]["401"]["description"]
    )
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


def test_operation_ids_are_unique_and_read_well(schema):
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id), operation_id
    by_path = {
        (method, path): operation["operationId"] for method, path, operation in _operations(schema)
    }
    assert by_path[("get", "/v1/campaigns")] == "campaigns_list"
    assert by_path[("post", "/v1/campaigns")] == "campaigns_create"
    assert by_path[("get", "/v1/campaigns/{key}")] == "campaigns_retrieve"
    assert by_path[("get", "/v1/campaigns/{slug}/comments")] == "campaigns_comments_list"
    assert by_path[("post", "/v1/donations/initialize")] == "donations_initialize"
    assert by_path[("post", "/v1/users/login")] == "users_login"
    assert by_path[("post", "/v1/campaigns/{campaign_id}/submit")] == "campaigns_submit"
    for method, path, operation in _operations(schema):
        assert operation.get("tags"), (method, path)


def test_request_bodies_never_ask_for_read_only_fields(schema):
    components = schema["components"]["schemas"]
    create = components["CampaignCreateRequest"]
    assert not {"id", "slug", "status", "raised_amount"} & set(create["properties"])
    assert set(create["required"]) == {"title", "story", "goal_amount", "currency", "category"}
    for name, component in components.items():
        for prop, definition in component.get("properties", {}).items():
            if name.endswith("Request"):
                assert not definition.get("readOnly"), (name, prop)


def test_the_upload_is_a_file(schema):
    body = schema["paths"]["/v1/file-upload"]["post"]["requestBody"]["content"]
    ref = body["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
    upload = schema["components"]["schemas"][ref]
    assert upload["properties"]["file"] == {"type": "string", "format": "binary"}


# Integers that are not money: counts, sizes, seconds, basis points, ids.
NOT_MONEY = {
    "count",
    "donor_count",
    "donation_count",
    "campaign_count",
    "rank",
    "sequence",
    "id",
    "paystack_transaction_id",
    "size",
    "width",
    "height",
    "position",
    "exponent",
    "max_bytes",
    "expires_in",
    "resend_in",
    "retry_after",
    "percent_bps",
    "fx_margin_bps",
    "max_rate_age_seconds",
    "last_success_age_seconds",
    "last_duration_ms",
}


def test_every_integer_is_money_in_a_named_currency_or_known_not_to_be(schema):
    money = 0
    for name, component in schema["components"]["schemas"].items():
        fields = component.get("properties", {})
        for prop, definition in fields.items():
            if definition.get("type") != "integer":
                continue
            description = definition.get("description", "")
            if prop in NOT_MONEY:
                assert "minor units" not in description, (name, prop)
                continue
            assert "An integer amount in minor units" in description, (name, prop)
            money += 1
            named = re.search(r"the currency in `(\w+)`", description)
            if named:  # the currency is a field of the same object
                assert named.group(1) in fields, (name, prop)
    assert money > 30
    goal = schema["components"]["schemas"]["CampaignListItemOutput"]["properties"]["goal_amount"]
    assert "the currency in `currency`" in goal["description"]


def test_statuses_and_kinds_are_enums(schema):
    components = schema["components"]["schemas"]

    def enum_of(component: str, prop: str) -> list[str]:
        definition = components[component]["properties"][prop]
        definition = definition.get("allOf", [definition])[0]  # a $ref with a description
        if "$ref" in definition:
            return components[definition["$ref"].split("/")[-1]]["enum"]
        return definition["enum"]

    assert "active" in enum_of("CampaignListItemOutput", "status")
    assert "active" in enum_of("CampaignOwnerOutput", "status")
    assert "succeeded" in enum_of("DonationStatusOutput", "status")
    assert "pending" in enum_of("DonationInitializeOutput", "status")
    assert "approved" in enum_of("ApproveResultOutput", "status")
    assert "image" in enum_of("UploadRequest", "kind")
    ordering = schema["paths"]["/v1/campaigns"]["get"]["parameters"]
    assert next(p for p in ordering if p["name"] == "ordering")["schema"]["enum"]


def test_401_is_declared_where_it_can_be_answered(schema):
    def responses(method: str, path: str) -> dict[str, Any]:
        return schema["paths"][path][method]["responses"]

    # Reads a token when one is sent (a signed-in donor): a bad one is refused.
    initialize = responses("post", "/v1/donations/initialize")
    assert "only when an `Authorization` header is sent" in initialize["401"]["description"]
    assert "403" not in initialize
    # Reads no token at all.
    assert "401" not in responses("get", "/v1/currencies")
    # Refused credentials.
    assert "401" in responses("post", "/v1/users/login")
    assert "401" in responses("post", "/v1/auth/token/refresh")
    # Readable by anyone: never 403.
    assert "403" not in responses("get", "/v1/campaigns")


def _example_path(path: str, slug: str) -> str:
    return (
        path.replace("{slug}", slug)
        .replace("{key}", slug)
        .replace("{collection}", "pages")
        .replace("{reference}", "KRO-none")
        .replace("{", "")
        .replace("}", "")
    )


@pytest.mark.django_db
def test_operations_without_sign_in_answer_a_bad_token_as_the_schema_says(schema, api):
    """Every operation that needs no sign-in, called with a garbage Bearer token: it
    answers 401 exactly where the schema declares the token-only 401."""
    from tests.factories import ActiveCampaignFactory

    slug = ActiveCampaignFactory().slug
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    checked = 0
    for method, path, operation in _operations(schema):
        if {} not in operation.get("security", [{}]):
            continue
        declared = operation["responses"].get("401", {}).get("description", "")
        answer = getattr(api, method)(_example_path(path, slug), format="json")
        if "only when an `Authorization` header is sent" in declared:
            assert answer.status_code == 401, (method, path)
            assert answer.json()["error"]["code"] in {"authentication_failed", "token_not_valid"}
        elif answer.status_code == 401:
            assert declared, (method, path)
        checked += 1
    assert checked > 10
