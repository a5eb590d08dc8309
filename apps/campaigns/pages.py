"""A public campaign's pages (its donations, leaderboard, comments), served from the cache.

A page is the same for everyone who may see the campaign, so a public campaign's pages
are cached as rendered JSON (apps/campaigns/cache.py: keyed by the campaign's versions,
dropped exactly when what they show changes). A hit costs one cache round trip and no
database query; a miss looks the campaign up, checks who may see it, builds the page
and stores it if the campaign is public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

from apps.core.errors import NotFound
from apps.users.permissions import request_has_second_factor

from . import cache
from .models import Campaign
from .selectors import campaign_id_for_slug, campaign_is_public, campaign_visible_to


def json_response(body: bytes) -> HttpResponse:
    """Rendered JSON as DRF's JSONRenderer renders it (same bytes, same content type)."""
    return HttpResponse(body, content_type="application/json")


def resolve_slug(slug: str) -> tuple[str | None, int, bool]:
    """`(campaign id or None, slug version, remembered)` for a current or former slug:
    the slug version is read before the lookup, so what is remembered under it is never
    newer than it (`cache.slug_remember`); `remembered` says the cache knew it already."""
    slugs_version = cache.slugs_version()
    campaign_id = cache.slug_campaign_id(slug, slugs_version=slugs_version)
    if campaign_id is not None:
        return campaign_id, slugs_version, True
    found = campaign_id_for_slug(slug)
    return (str(found) if found is not None else None), slugs_version, False


def public_campaign_page(
    request: Any,
    *,
    slug: str,
    kind: str,
    params: dict[str, Any],
    build: Callable[[Campaign], Any],
    comments: bool = False,
) -> HttpResponse:
    """The page `build(campaign)` makes for the campaign a current or former `slug` names,
    cached per `kind` and `params` (the validated parameters, and the host when the page
    holds links). NotFound when there is no such campaign or it is not for this user.

    A hit is one cache round trip (the slug version, the campaign's versions and the page
    in one read) and no database query."""
    versions: tuple[int, ...] | None = None
    memo = cache.slug_memo_get(slug)
    if memo is not None:
        campaign_id, slugs_version = memo
        remembered = True
        key = cache.page_key(kind, campaign_id, params)
        body, versions = cache.page_lookup(
            key, campaign_id, comments=comments, slugs_version=slugs_version
        )
        if body is not None:
            return json_response(body)
    if versions is None:  # no memo, or the slug version moved since it was made
        found, slugs_version, remembered = resolve_slug(slug)
        if found is None:
            raise NotFound("No such campaign.")
        campaign_id = found
        key = cache.page_key(kind, campaign_id, params)
        # The versions are read before the rows, so a concurrent change cannot be cached late.
        body, versions = cache.page_lookup(key, campaign_id, comments=comments)
        if body is not None:
            return json_response(body)
    assert versions is not None  # page_lookup without a slug version answers versions
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign_visible_to(
        campaign, request.user, staff_verified=request_has_second_factor(request)
    ):
        raise NotFound("No such campaign.")
    body = JSONRenderer().render(build(campaign))
    if campaign_is_public(campaign):
        cache.page_set(key, versions, body)
        if not remembered:
            cache.slug_remember(slug, campaign.pk, slugs_version=slugs_version)
    return json_response(body)
