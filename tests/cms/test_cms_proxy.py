"""The CMS proxy: Strapi faked at the HTTP layer (`responses`), the cache is real Redis."""

import time

import pytest
import requests
import responses
from django.core.cache import cache
from responses import matchers

STRAPI = "https://cms.krogiving.test"
PAGES = {
    "data": [{"id": 7, "documentId": "abc123", "slug": "about", "title": "About us"}],
    "meta": {"pagination": {"page": 1, "pageSize": 25, "pageCount": 1, "total": 1}},
}


@pytest.fixture
def strapi(settings):
    settings.STRAPI_URL = STRAPI
    settings.STRAPI_TOKEN = "strapi-token"
    settings.STRAPI_COLLECTIONS = ["pages", "faqs"]
    settings.STRAPI_TIMEOUT_SECONDS = 2
    settings.STRAPI_CACHE_SECONDS = 60
    settings.STRAPI_STALE_SECONDS = 3600
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def _expire_fresh_copies():
    """Make every cached copy older than STRAPI_CACHE_SECONDS (kept, but not fresh)."""
    from apps.cms.services import CACHE_PREFIX

    for key in cache.keys(CACHE_PREFIX + "*"):
        stored = cache.get(key)
        stored["at"] = time.time() - 3600
        cache.set(key, stored, timeout=3600)


def test_a_collection_is_read_with_the_token_and_allowed_params_only(api, strapi):
    strapi.get(
        f"{STRAPI}/api/pages",
        json=PAGES,
        match=[
            matchers.header_matcher({"Authorization": "Bearer strapi-token"}),
            matchers.query_param_matcher(
                {"populate": "*", "pagination[page]": "1", "pagination[pageSize]": "100"}
            ),
        ],
    )
    # Not allowed: refused (400 unknown_parameter, issue 14), never reaches Strapi.
    refused = api.get(
        "/v1/cms/pages", {"populate": "*", "status": "draft", "filters[secret][$eq]": "x"}
    )
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"status", "filters[secret][$eq]"}
    assert len(strapi.calls) == 0
    response = api.get(
        "/v1/cms/pages",
        {
            "populate": "*",
            "pagination[page]": "1",
            "pagination[pageSize]": "5000",  # capped at 100
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == PAGES
    assert response["X-CMS-Source"] == "fresh"
    assert len(strapi.calls) == 1


def test_the_cached_copy_is_served_without_asking_strapi_again(api, strapi):
    strapi.get(f"{STRAPI}/api/pages", json=PAGES)
    assert api.get("/v1/cms/pages").status_code == 200
    again = api.get("/v1/cms/pages")
    assert again.status_code == 200
    assert again["X-CMS-Source"] == "cached"
    assert again.json() == PAGES
    assert len(strapi.calls) == 1


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.ConnectionError("refused")},
        {"body": requests.ReadTimeout("slow")},
        {"status": 503, "json": {"error": "down"}},
    ],
    ids=["down", "slow", "5xx"],
)
def test_the_stale_copy_is_served_when_strapi_fails(api, strapi, failure):
    strapi.get(f"{STRAPI}/api/pages", json=PAGES)
    assert api.get("/v1/cms/pages").status_code == 200
    _expire_fresh_copies()
    strapi.replace(responses.GET, f"{STRAPI}/api/pages", **failure)
    response = api.get("/v1/cms/pages")
    assert response.status_code == 200
    assert response["X-CMS-Source"] == "stale"
    assert response.json() == PAGES
    assert len(strapi.calls) == 2


def test_a_fresh_answer_replaces_an_expired_copy(api, strapi):
    strapi.get(f"{STRAPI}/api/pages", json=PAGES)
    api.get("/v1/cms/pages")
    _expire_fresh_copies()
    newer = {**PAGES, "data": [{**PAGES["data"][0], "title": "About KROGiving"}]}
    strapi.replace(responses.GET, f"{STRAPI}/api/pages", json=newer)
    response = api.get("/v1/cms/pages")
    assert response["X-CMS-Source"] == "fresh"
    assert response.json()["data"][0]["title"] == "About KROGiving"


def test_nothing_cached_and_strapi_down_is_a_502(api, strapi):
    strapi.get(f"{STRAPI}/api/pages", body=requests.ConnectionError("refused"))
    response = api.get("/v1/cms/pages")
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "cms_unavailable"
    assert "unavailable" in error["message"]


def test_a_wrong_token_is_not_passed_on_as_the_visitors_fault(api, strapi):
    strapi.get(f"{STRAPI}/api/pages", status=401, json={"error": "unauthorized"})
    assert api.get("/v1/cms/pages").status_code == 502


def test_a_collection_outside_the_allowlist_is_404_without_asking_strapi(api, strapi):
    response = api.get("/v1/cms/users")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert len(strapi.calls) == 0


def test_one_entry_by_slug_is_strapi_single_shape(api, strapi):
    strapi.get(
        f"{STRAPI}/api/pages",
        json=PAGES,
        match=[matchers.query_param_matcher({"filters[slug][$eq]": "about"})],
    )
    response = api.get("/v1/cms/pages/about")
    assert response.status_code == 200
    assert response.json() == {"data": PAGES["data"][0], "meta": {}}


def test_one_entry_by_id_and_a_missing_one(api, strapi):
    strapi.get(f"{STRAPI}/api/pages/7", json={"data": PAGES["data"][0], "meta": {}})
    strapi.get(f"{STRAPI}/api/pages/8", status=404, json={"data": None})
    assert api.get("/v1/cms/pages/7").json()["data"]["slug"] == "about"
    assert api.get("/v1/cms/pages/8").status_code == 404


def test_an_entry_by_document_id_when_no_slug_matches(api, strapi):
    empty = {"data": [], "meta": {"pagination": {"page": 1, "pageSize": 25, "total": 0}}}
    strapi.get(f"{STRAPI}/api/pages", json=empty)
    strapi.get(f"{STRAPI}/api/pages/abc123", json={"data": PAGES["data"][0], "meta": {}})
    assert api.get("/v1/cms/pages/abc123").json()["data"]["documentId"] == "abc123"


def test_without_strapi_the_local_pages_are_served(api, settings):
    settings.STRAPI_URL = ""
    settings.STRAPI_COLLECTIONS = ["pages", "faqs", "posts"]
    listing = api.get("/v1/cms/pages")
    assert listing.status_code == 200
    assert listing["X-CMS-Source"] == "local"
    body = listing.json()
    assert {page["slug"] for page in body["data"]} == {"about", "faq", "terms"}
    assert body["meta"]["pagination"]["total"] == 3
    for slug in ("about", "faq", "terms"):
        page = api.get(f"/v1/cms/pages/{slug}").json()
        assert page["data"]["slug"] == slug
        assert page["data"]["content"]
    assert api.get("/v1/cms/pages/nothing").status_code == 404
    assert api.get("/v1/cms/posts").json()["data"] == []
    paged = api.get("/v1/cms/pages", {"pagination[pageSize]": "2", "pagination[page]": "2"})
    assert len(paged.json()["data"]) == 1
    assert paged.json()["meta"]["pagination"]["pageCount"] == 2
