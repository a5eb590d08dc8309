"""The public campaign list and detail, cached with versions.

There is a version for all list pages, one per campaign for its detail (and its pages),
one per campaign for its comments, and one for the slug -> campaign mapping. A change
bumps the versions after its transaction commits. An entry is stored under a key
*without* the version, with the versions it was computed under inside the value; a hit
reads the current versions and the entry in ONE cache round trip (`get_many`, an MGET
on Redis) and is a hit only when they are equal. A reader takes the versions *before*
it reads the database, so an answer computed from rows an update has just replaced
carries a version that is no longer current: a late writer can only cause a miss,
never a stale hit.

Hits answer the rendered JSON bytes stored with the entry (no serializer, no renderer).
A slug is resolved to its campaign through a small per-process memo checked against
the slug version in the same round trip (`slug_memo_get`), so a hit makes no other
cache read and no database query.

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
SCHEMA_VERSION = 2
_PREFIX = f"campaigns:s{SCHEMA_VERSION}"
_LIST_VERSION_KEY = f"{_PREFIX}:list:version"
_SLUGS_VERSION_KEY = f"{_PREFIX}:slugs:version"


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


def _get_many(keys: list[str]) -> dict[str, Any]:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("campaign cache read failed", exc_info=True)
        return {}


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


# --- entries checked against their versions -------------------------------------------


def _hit(found: dict[str, Any], version_keys: list[str], entry_key: str) -> bytes | None:
    """The body of the entry in `found` if it was computed under the current versions."""
    entry = found.get(entry_key)
    if not isinstance(entry, tuple) or len(entry) != 2:
        return None
    if any(found.get(key) is None for key in version_keys):
        return None
    if entry[0] != tuple(int(found[key]) for key in version_keys):
        return None
    body = entry[1]
    return body if isinstance(body, bytes) else None


def _versions_from(found: dict[str, Any], version_keys: list[str]) -> tuple[int, ...]:
    """The versions as read with the entry (before any row), starting a missing one."""
    return tuple(
        int(found[key]) if found.get(key) is not None else _version(key) for key in version_keys
    )


# --- list pages -------------------------------------------------------------------------


def list_key(*, params: dict[str, Any], base_url: str) -> str:
    """One key per normalised query (and host, which the next/previous links contain).

    `params` are the validated parameters only (filters, page, page size) and `base_url`
    carries no query string: a request with unknown parameters added lands on the same
    entry, so junk parameters cannot each make a new entry and a database query.
    """
    digest = hashlib.sha256(
        json.dumps([base_url, params], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"{_PREFIX}:list:{digest}"


def list_lookup(key: str) -> tuple[bytes | None, int | None]:
    """`(body, None)` on a hit; `(None, version)` on a miss, the version to store under."""
    found = _get_many([_LIST_VERSION_KEY, key])
    body = _hit(found, [_LIST_VERSION_KEY], key)
    if body is not None:
        return body, None
    return None, _versions_from(found, [_LIST_VERSION_KEY])[0]


def list_set(key: str, version: int, body: bytes) -> None:
    _set(key, ((version,), body), _ttl())


def list_version() -> int:
    return _version(_LIST_VERSION_KEY)


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


# --- slugs ------------------------------------------------------------------------------
#
# A slug (current or former) names one campaign; only the slug repair can move one to
# another campaign, and it bumps the slug version (`slugs_forget`). Each process keeps a
# bounded memo slug -> (campaign id, slug version it was looked up under); every use
# reads the current slug version in the same round trip as the entry, so a memo made
# before a repair is never used after it (it only causes one miss). The shared entry
# `slug:<slug>` carries the slug version too, for the processes with no memo yet.

_SLUG_MEMO_SIZE = 10_000
_slug_memo: dict[str, tuple[str, int]] = {}


def slugs_version() -> int:
    return _version(_SLUGS_VERSION_KEY)


def slug_memo_get(slug: str) -> tuple[str, int] | None:
    """`(campaign id, slug version)` this process remembers for `slug`, if any."""
    return _slug_memo.get(slug)


def slug_campaign_id(slug: str, *, slugs_version: int) -> str | None:
    """The id a slug belongs to, as remembered under the current slug version."""
    memo = _slug_memo.get(slug)
    if memo is not None and memo[1] == slugs_version:
        return memo[0]
    value = _get(_slug_key(slug))
    if isinstance(value, tuple) and len(value) == 2 and value[1] == slugs_version:
        _memo(slug, str(value[0]), slugs_version)
        return str(value[0])
    return None


def _memo(slug: str, campaign_id: str, version: int) -> None:
    if len(_slug_memo) >= _SLUG_MEMO_SIZE:
        _slug_memo.clear()  # bounded; a cleared memo costs one lookup per slug
    _slug_memo[slug] = (campaign_id, version)


def slug_remember(slug: str, campaign_id: Any, *, slugs_version: int) -> None:
    """Remember (here and in the cache) what a lookup made under `slugs_version` found."""
    _memo(slug, str(campaign_id), slugs_version)
    _set(_slug_key(slug), (str(campaign_id), slugs_version), _ttl())


def _forget_now(slugs: list[str]) -> None:
    _bump(_SLUGS_VERSION_KEY)
    try:
        cache.delete_many([_slug_key(slug) for slug in slugs])
    except Exception:
        logger.warning("campaign cache slug delete failed", exc_info=True)
    for slug in slugs:
        _slug_memo.pop(slug, None)


def slugs_forget(slugs: list[str]) -> None:
    """For the slug repair, which may move a slug to another campaign: every process's
    memo and the shared entries are dropped (the slug version moves), after the commit."""
    transaction.on_commit(partial(_forget_now, list(slugs)))


# --- detail -----------------------------------------------------------------------------


def _detail_key(campaign_id: Any) -> str:
    return f"{_PREFIX}:detail:{campaign_id}"


def detail_version(campaign_id: Any) -> int:
    return _version(_detail_version_key(campaign_id))


def detail_lookup(campaign_id: Any, *, slugs_version: int | None = None) -> tuple[Any, Any]:
    """One round trip: `(entry, found)`, `entry` being `(organizer_id, body)` when it was
    computed under the current detail version, else None; `found` holds the versions read
    (`detail_version_from` turns them into the version to store a fresh entry under)."""
    keys = [_detail_version_key(campaign_id), _detail_key(campaign_id)]
    if slugs_version is not None:
        keys.append(_SLUGS_VERSION_KEY)
    found = _get_many(keys)
    entry = found.get(keys[1])
    if slugs_version is not None and found.get(_SLUGS_VERSION_KEY) != slugs_version:
        return None, None
    if (
        isinstance(entry, tuple)
        and len(entry) == 3
        and found.get(keys[0]) is not None
        and entry[0] == int(found[keys[0]])
    ):
        return (entry[1], entry[2]), found
    return None, found


def detail_version_from(campaign_id: Any, found: Any) -> int:
    if found:
        return _versions_from(found, [_detail_version_key(campaign_id)])[0]
    return detail_version(campaign_id)


def detail_set(campaign_id: Any, version: int, organizer_id: str, body: bytes) -> None:
    _set(_detail_key(campaign_id), (version, organizer_id, body), _ttl())


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
# Each is stored as its rendered JSON, with the campaign's detail version (bumped by
# every change the public sees of the campaign: status, money, donors, through
# `campaign_cache_invalidate`), and comments also with the campaign's comments version
# (bumped by every comment saved or deleted, after the commit). The views read the
# versions before the rows, as the detail does, so a page computed from rows a change
# has just replaced carries versions that are no longer current.


def _comments_version_key(campaign_id: Any) -> str:
    return f"{_PREFIX}:comments:{campaign_id}:version"


def _page_version_keys(campaign_id: Any, comments: bool) -> list[str]:
    keys = [_detail_version_key(campaign_id)]
    if comments:
        keys.append(_comments_version_key(campaign_id))
    return keys


def page_key(kind: str, campaign_id: Any, params: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return f"{_PREFIX}:{kind}:{campaign_id}:{digest}"


def page_lookup(
    key: str, campaign_id: Any, *, comments: bool = False, slugs_version: int | None = None
) -> tuple[bytes | None, tuple[int, ...] | None]:
    """One round trip: `(body, None)` on a hit; `(None, versions)` on a miss, the versions
    to store the fresh page under; `(None, None)` when the slug version has moved (the
    slug must be looked up again)."""
    version_keys = _page_version_keys(campaign_id, comments)
    keys = [*version_keys, key]
    if slugs_version is not None:
        keys.append(_SLUGS_VERSION_KEY)
    found = _get_many(keys)
    if slugs_version is not None and found.get(_SLUGS_VERSION_KEY) != slugs_version:
        return None, None
    body = _hit(found, version_keys, key)
    if body is not None:
        return body, None
    return None, _versions_from(found, version_keys)


def page_set(key: str, versions: tuple[int, ...], body: bytes) -> None:
    _set(key, (versions, body), _ttl())


def comments_invalidate(campaign_id: Any) -> None:
    """Drop the cached comment pages of a campaign, after the commit."""
    transaction.on_commit(partial(_bump, _comments_version_key(str(campaign_id))))
