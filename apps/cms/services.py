"""Read-only content from Strapi, cached, for `GET /v1/cms/<collection>[/<id-or-slug>]`.

- Only the collections in STRAPI_COLLECTIONS (Strapi plural API ids) can be read; any
  other is a 404. Only the query parameters in ALLOWED_PARAMS reach Strapi; others are
  dropped.
- Strapi is asked with `Authorization: Bearer STRAPI_TOKEN` and STRAPI_TIMEOUT_SECONDS.
  Each answer is cached (Django's cache: Redis) and served from there for
  STRAPI_CACHE_SECONDS; the copy is kept STRAPI_STALE_SECONDS, and served (marked stale)
  whenever Strapi is down, slow or answers 5xx/429. With nothing cached that is a 502
  `cms_unavailable`.
- One entry by slug or id: a numeric value is the entry id (Strapi 4), anything else is
  looked up as `filters[slug][$eq]`, then as a documentId (Strapi 5). The answer keeps
  Strapi's shape: `{"data": {...}, "meta": {}}` for one, `{"data": [...], "meta":
  {"pagination": ...}}` for a list.
- Without STRAPI_URL the same API serves the local pages in apps/cms/fixtures/
  (`<collection>.json`, a list of entries in Strapi 5's flat shape), so the embedded
  default has an about page, a FAQ and terms.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.cache import cache as django_cache

from apps.core.errors import ApplicationError, NotFound

log = logging.getLogger(__name__)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Query parameters passed through to Strapi (exact names); every other one is dropped.
ALLOWED_PARAMS = (
    "populate",
    "pagination[page]",
    "pagination[pageSize]",
    "locale",
    "sort",
    "filters[slug][$eq]",
)
MAX_PAGE_SIZE = 100
MAX_PARAM_LENGTH = 200
CACHE_PREFIX = "cms:v1:"


class CmsUnavailable(ApplicationError):
    status_code = 502
    code = "cms_unavailable"


@dataclass(frozen=True)
class CmsAnswer:
    body: dict[str, Any]
    # "fresh" (asked Strapi now), "cached", "stale" (Strapi failed), "local" (fixtures)
    source: str


class _StrapiDown(Exception):
    pass


def cms_clean_params(params: Any) -> dict[str, str]:
    """The allowed query parameters of a request (the last value of each)."""
    cleaned: dict[str, str] = {}
    for name in ALLOWED_PARAMS:
        value = params.get(name)
        if value is None or value == "" or len(str(value)) > MAX_PARAM_LENGTH:
            continue
        value = str(value)
        if name.startswith("pagination["):
            if not value.isdigit() or int(value) < 1:
                continue
            if name == "pagination[pageSize]":
                value = str(min(int(value), MAX_PAGE_SIZE))
        cleaned[name] = value
    return cleaned


def _check_collection(collection: str) -> None:
    if collection not in settings.STRAPI_COLLECTIONS:
        raise NotFound(f"There is no CMS collection {collection!r}.")


def cms_list(*, collection: str, params: dict[str, str]) -> CmsAnswer:
    """A page of a collection's entries, in Strapi's list shape."""
    _check_collection(collection)
    if not settings.STRAPI_URL:
        return CmsAnswer(_local_list(collection, params), "local")
    return _cached(f"/api/{collection}", params)


def cms_entry(*, collection: str, key: str, params: dict[str, str]) -> CmsAnswer:
    """One entry of a collection by id, documentId or slug, in Strapi's single shape."""
    _check_collection(collection)
    params = {k: v for k, v in params.items() if k in ("populate", "locale")}
    if not settings.STRAPI_URL:
        entry = _local_find(collection, key)
        if entry is None:
            raise NotFound(f"There is no {collection} entry {key!r}.")
        return CmsAnswer({"data": entry, "meta": {}}, "local")
    if not key.isdigit():
        found = _cached(f"/api/{collection}", {**params, "filters[slug][$eq]": key})
        data = found.body.get("data")
        if isinstance(data, list) and data:
            return CmsAnswer({"data": data[0], "meta": {}}, found.source)
    return _cached(f"/api/{collection}/{quote(key, safe='')}", params)


# --- Strapi, through the cache ---------------------------------------------------------


def _cache_key(path: str, params: dict[str, str]) -> str:
    raw = json.dumps([settings.STRAPI_URL, path, sorted(params.items())])
    return CACHE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _cached(path: str, params: dict[str, str]) -> CmsAnswer:
    key = _cache_key(path, params)
    stored = django_cache.get(key)
    if stored and time.time() - stored["at"] < settings.STRAPI_CACHE_SECONDS:
        return _answer(stored, "cached", path)
    try:
        status, body = _fetch(path, params)
    except _StrapiDown as exc:
        if stored:
            log.warning("cms: Strapi unavailable, serving the cached copy: %s", exc)
            return _answer(stored, "stale", path)
        log.error("cms: Strapi unavailable and nothing cached for %s: %s", path, exc)
        raise CmsUnavailable(
            "The content service is unavailable just now and no copy of this content is "
            "cached; try again shortly."
        ) from exc
    stored = {"at": time.time(), "status": status, "body": body}
    django_cache.set(key, stored, timeout=settings.STRAPI_STALE_SECONDS)
    return _answer(stored, "fresh", path)


def _answer(stored: dict[str, Any], source: str, path: str) -> CmsAnswer:
    if stored["status"] == 404:
        raise NotFound("There is no such CMS entry.")
    return CmsAnswer(stored["body"], source)


def _fetch(path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """Strapi's answer (200 or 404 with its body), or _StrapiDown for anything else."""
    headers = {"Accept": "application/json"}
    if settings.STRAPI_TOKEN:
        headers["Authorization"] = f"Bearer {settings.STRAPI_TOKEN}"
    url = settings.STRAPI_URL.rstrip("/") + path
    try:
        response = requests.get(
            url, params=params, headers=headers, timeout=settings.STRAPI_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        raise _StrapiDown(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code == 404:
        return 404, {}
    if response.status_code != 200:
        # 5xx, 429, and 401/403 (a wrong token: ours to fix, not the visitor's).
        raise _StrapiDown(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise _StrapiDown("not JSON") from exc
    if not isinstance(body, dict) or "data" not in body:
        raise _StrapiDown("not Strapi's {data, meta} shape")
    return 200, body


# --- Local pages (no STRAPI_URL) -------------------------------------------------------


@cache
def _local_entries(collection: str) -> tuple[dict[str, Any], ...]:
    path = FIXTURES / f"{collection}.json"
    if not path.is_file():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def _local_find(collection: str, key: str) -> dict[str, Any] | None:
    for entry in _local_entries(collection):
        if key in (str(entry.get("id")), entry.get("documentId"), entry.get("slug")):
            return entry
    return None


def _local_list(collection: str, params: dict[str, str]) -> dict[str, Any]:
    entries = list(_local_entries(collection))
    slug = params.get("filters[slug][$eq]")
    if slug is not None:
        entries = [e for e in entries if e.get("slug") == slug]
    if params.get("locale"):
        entries = [e for e in entries if e.get("locale", "en") == params["locale"]]
    page = int(params.get("pagination[page]", "1"))
    size = int(params.get("pagination[pageSize]", "25"))
    total = len(entries)
    return {
        "data": entries[(page - 1) * size : page * size],
        "meta": {
            "pagination": {
                "page": page,
                "pageSize": size,
                "pageCount": math.ceil(total / size) if total else 0,
                "total": total,
            }
        },
    }
