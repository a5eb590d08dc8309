"""Unknown query parameters on list endpoints are refused, on every list alike
(apps/core/query.py): 400 `unknown_parameter`, naming them and the accepted ones."""

from __future__ import annotations

import re
from typing import Any

import pytest
import responses
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.users.tokens import tokens_for
from tests.factories import ActiveCampaignFactory, StaffFactory, UserFactory
from tests.paystack_transfers import FakeTransfers


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _lists(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every GET whose view refuses unknown parameters."""
    found = []
    for path, item in schema["paths"].items():
        if "get" in item and hasattr(resolve(_concrete(path)).func.cls, "query_parameters"):
            found.append((path, item["get"]))
    return found


def _concrete(path: str) -> str:
    path = path.replace("{slug}", "ada-walks").replace("{collection}", "pages")
    return re.sub(r"\{\w+\}", "00000000-0000-4000-8000-000000000000", path)


@pytest.fixture
def clients(db, paystack_settings):
    creator = UserFactory(email="creator@example.com")
    ActiveCampaignFactory(organizer=creator, slug="ada-walks", title="Ada walks")
    staff = StaffFactory(email="staff@example.com", is_superuser=True)
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(creator)['access']}")
    admin = APIClient()
    token = tokens_for(staff, second_factor=True)["access"]
    admin.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeTransfers(mock)
        yield {"user": signed_in, "staff": admin}


def _client(clients: dict[str, APIClient], path: str) -> APIClient:
    return clients["staff" if path.startswith("/v1/admin/") else "user"]


def test_every_list_refuses_the_rule_the_same_way(schema):
    lists = dict(_lists(schema))
    # Public and staff lists alike.
    assert {"/v1/campaigns", "/v1/currencies", "/v1/admin/donations", "/v1/withdrawal"} <= set(
        lists
    )


def test_the_schema_declares_exactly_what_each_list_accepts(schema):
    for path, operation in _lists(schema):
        view = resolve(_concrete(path)).func.cls()
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert declared == set(view.accepted_query_parameters()), path
        assert "400" in operation["responses"], path


def test_an_unknown_parameter_is_refused_naming_it_and_the_accepted_ones(schema, clients):
    for path, operation in _lists(schema):
        accepted = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        answer = _client(clients, path).get(_concrete(path), {"colour": "red", "sizee": "2"})
        assert answer.status_code == 400, path
        error = answer.json()["error"]
        assert error["code"] == "unknown_parameter", path
        assert "`colour`" in error["message"] and "`sizee`" in error["message"], path
        for name in accepted:
            assert f"`{name}`" in error["message"], (path, name)
        assert set(error["fields"]) == {"colour", "sizee"}


def test_known_parameters_are_not_refused(schema, clients):
    for path, operation in _lists(schema):
        known = {p["name"]: "1" for p in operation.get("parameters", []) if p["in"] == "query"}
        answer = _client(clients, path).get(_concrete(path), known)
        if answer.status_code == 400:
            assert answer.json()["error"]["code"] != "unknown_parameter", path


def test_the_filters_of_the_public_list_still_work(clients):
    api = APIClient()
    answer = api.get("/v1/campaigns", {"q": "Ada", "page": 1, "page_size": 5})
    assert answer.status_code == 200
    assert [c["slug"] for c in answer.json()["results"]] == ["ada-walks"]
    refused = api.get("/v1/campaigns", {"categroy": "medical"})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("Unknown query parameter `categroy`.")
    # A list that reads nothing but pages: only `page` and `page_size`.
    refused = _client(clients, "/v1/withdrawal").get("/v1/withdrawal", {"status": "approved"})
    assert refused.json()["error"]["message"] == (
        "Unknown query parameter `status`. This endpoint accepts: `page`, `page_size`."
    )
