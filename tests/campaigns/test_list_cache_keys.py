"""The public list is cached by its validated parameters only: junk query parameters
cannot each make a new cache entry and a database query (cache flooding). Since issue 14
they are refused (400 `unknown_parameter`) before the cache or the database is touched."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _list_entries() -> list[str]:
    return [key for key in cache.keys("*") if re.search(r":list:[0-9a-f]{64}$", key)]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_junk_parameters_are_refused_before_the_cache_and_the_database(active, anon_api):
    junk = [f"/v1/campaigns?category=medical&junk{n}={n}&utm_source=x{n}" for n in range(40)]
    with CaptureQueriesContext(connection) as queries:
        for url in junk:
            response = anon_api.get(url)
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "unknown_parameter"
    assert len(queries) == 0
    assert _list_entries() == []
    hits = 0
    bodies = []
    with CaptureQueriesContext(connection) as queries:
        for url in ["/v1/campaigns?category=medical", "/v1/campaigns?category=MEDICAL&page=1"]:
            before = len(queries)
            response = anon_api.get(url)
            assert response.status_code == 200
            hits += len(queries) > before
            bodies.append(response.json())
    assert hits == 1
    assert len(_list_entries()) == 1
    assert bodies[0] == bodies[1] and bodies[0]["count"] == 1


def test_the_cached_links_carry_no_client_parameters(organizer, anon_api):
    CampaignFactory.create_batch(3, organizer=organizer, status="active", category_id="medical")
    first = anon_api.get("/v1/campaigns?page_size=1&category=MEDICAL").json()
    assert _query(first["next"]) == {"category": ["medical"], "page": ["2"], "page_size": ["1"]}
    # Everyone else asking for the same page gets the same clean links, from the cache.
    with CaptureQueriesContext(connection) as queries:
        again = anon_api.get("/v1/campaigns?category=medical&page_size=1").json()
    assert len(queries) == 0 and again == first
    second = anon_api.get(first["next"]).json()
    assert _query(second["next"]) == {"category": ["medical"], "page": ["3"], "page_size": ["1"]}
    assert _query(second["previous"]) == {"category": ["medical"], "page_size": ["1"]}


def test_distinct_valid_queries_still_get_their_own_entries(active, anon_api):
    for url in (
        "/v1/campaigns",
        "/v1/campaigns?page_size=5",
        "/v1/campaigns?ordering=most_funded",
        "/v1/campaigns?q=ada",
    ):
        assert anon_api.get(url).status_code == 200
    assert len(_list_entries()) == 4
