"""The public campaign list and detail, cached with versioned keys.

Keys carry a version: one for all list pages, one per campaign for its detail. A change
bumps the versions after its transaction commits, so the old entries are never read
again and simply expire. A reader takes the version *before* it reads the database and
stores under that version, so an answer computed from rows an update has just replaced
lands under a version nobody reads any more.

Only the public view of a publicly visible campaign is ever stored; what its organiser
or staff see is built fresh for each request.

A failing cache never fails a request: reads count as misses and writes are skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# Bump when the cached representation changes shape, so a deploy never serves old ones.
SCHEMA_VERSION = 1
_PREFIX = f"campaigns:s{SCHEMA_VERSION}"
_LIST_VERSION_KEY = f"{_PREFIX}:list:version"


def _ttl() -> int:
    return settings.CACHE_TTL


def _detail_version_key(campaign_id: Any) -> str:
    return f"{_PREFIX}:detail:{campaign_id}:version"


def _slug_key(slug: str) -> str:
    return f"{_PREFIX}:slug:{slug}"


def _get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # a cache outage degrades to the database, it does not fail requests
        logger.warning("campaign cache read failed", exc_info=True)
        return None


def _set(key: str, value: Any, timeout: int | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("campaign cache write failed", exc_info=True)


def _version(key: str) -> int:
    """The current version; a missing one starts at the clock so it never repeats an old one."""
    value = _get(key)
    if value is not None:
        return int(value)
    start = time.time_ns()
    try:
        cache.add(key, start, timeout=None)
        value = cache.get(key)
    except Exception:
        logger.warning("campaign cache version read failed", exc_info=True)
    return int(value) if value is not None else start


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (evicted or never read): any fresh value will do
        _set(key, time.time_ns(), None)
    except Exception:
        logger.warning("campaign cache invalidation failed", exc_info=True)


# --- list pages -------------------------------------------------------------------------


def list_version() -> int:
    return _version(_LIST_VERSION_KEY)


def list_key(*, version: int, params: dict[str, Any], base_url: str) -> str:
    """One key per normalised query (and host, which the next/previous links contain).

    `params` are the validated parameters only (filters, page, page size) and `base_url`
    carries no query string: a request with unknown parameters added lands on the same
    entry, so junk parameters cannot each make a new entry and a database query.
    """
    digest = hashlib.sha256(
        json.dumps([base_url, params], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"{_PREFIX}:list:v{version}:{digest}"


def list_get(key: str) -> dict | None:
    return _get(key)


def list_set(key: str, data: dict) -> None:
    _set(key, data, _ttl())


# --- categories -------------------------------------------------------------------------
#
# `GET /v1/categories` counts each category's public campaigns, so it changes exactly when
# a list page may: it is stored under the list version, which every public change of a
# campaign bumps (`campaign_cache_invalidate`), as does any change of a category itself
# (`category_cache_invalidate`, from the Category model's save and delete signals).


def categories_key(version: int) -> str:
    return f"{_PREFIX}:categories:v{version}"


def categories_get(version: int) -> list | None:
    return _get(categories_key(version))


def categories_set(version: int, rows: list) -> None:
    _set(categories_key(version), rows, _ttl())


def category_cache_invalidate() -> None:
    """A category was added, renamed, moved or deleted: drop the cached category list
    (and the list pages, which share its version) after the commit."""
    transaction.on_commit(partial(_bump, _LIST_VERSION_KEY))


# --- detail -----------------------------------------------------------------------------


def detail_version(campaign_id: Any) -> int:
    return _version(_detail_version_key(campaign_id))


def _detail_key(campaign_id: Any, version: int) -> str:
    return f"{_PREFIX}:detail:{campaign_id}:v{version}"


def slug_campaign_id(slug: str) -> str | None:
    """The id a slug (current or old) belongs to, as remembered by an earlier lookup."""
    return _get(_slug_key(slug))


def slug_remember(slug: str, campaign_id: Any) -> None:
    _set(_slug_key(slug), str(campaign_id), _ttl())


def slugs_forget(slugs: list[str]) -> None:
    """For the slug repair, which may move a slug to another campaign."""
    try:
        cache.delete_many([_slug_key(slug) for slug in slugs])
    except Exception:
        logger.warning("campaign cache slug delete failed", exc_info=True)


def detail_get(campaign_id: Any) -> dict | None:
    """`{"organizer_id": ..., "data": <public representation>}` or None."""
    return _get(_detail_key(campaign_id, detail_version(campaign_id)))


def detail_set(campaign_id: Any, version: int, entry: dict) -> None:
    _set(_detail_key(campaign_id, version), entry, _ttl())


# --- invalidation -----------------------------------------------------------------------


def _invalidate_now(campaign_id: str) -> None:
    _bump(_detail_version_key(campaign_id))
    _bump(_LIST_VERSION_KEY)


def campaign_cache_invalidate(campaign_id: Any) -> None:
    """Drop the cached public views of a campaign (its detail and every list page).

    Call it from any write that changes what the public sees of a campaign (the
    donation settlement calls it when `raised_amount` changes). Inside a transaction
    it runs after the commit, so no reader can cache the old rows again under the new
    version; outside one it runs at once.
    """
    transaction.on_commit(partial(_invalidate_now, str(campaign_id)))


# --- a public campaign's pages: donations, leaderboard, comments ------------------------
#
# Each is stored as its rendered JSON, under the campaign's detail version (bumped by
# every change the public sees of the campaign: status, money, donors, through
# `campaign_cache_invalidate`), and comments also under the campaign's comments version
# (bumped by every comment saved or deleted, after the commit). The views read the
# versions before the rows, as the detail does, so a page computed from rows a change
# has just replaced lands under a version nobody reads any more.


def _comments_version_key(campaign_id: Any) -> str:
    return f"{_PREFIX}:comments:{campaign_id}:version"


def page_versions(campaign_id: Any, *, comments: bool = False) -> tuple[int, ...]:
    """The versions a page of the campaign is stored under (one cache round trip)."""
    keys = [_detail_version_key(campaign_id)]
    if comments:
        keys.append(_comments_version_key(campaign_id))
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("campaign cache version read failed", exc_info=True)
        found = {}
    return tuple(int(found[key]) if found.get(key) is not None else _version(key) for key in keys)


def page_key(kind: str, campaign_id: Any, versions: tuple[int, ...], params: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    stamp = "-".join(str(version) for version in versions)
    return f"{_PREFIX}:{kind}:{campaign_id}:v{stamp}:{digest}"


def page_get(key: str) -> bytes | None:
    value = _get(key)
    return value if isinstance(value, bytes) else None


def page_set(key: str, body: bytes) -> None:
    _set(key, body, _ttl())


def comments_invalidate(campaign_id: Any) -> None:
    """Drop the cached comment pages of a campaign, after the commit."""
    transaction.on_commit(partial(_bump, _comments_version_key(str(campaign_id))))
