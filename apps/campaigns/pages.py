"""A public campaign's pages (its donations, leaderboard, comments), served from the cache.

A page is the same for everyone who may see the campaign, so a public campaign's pages
are cached as rendered JSON (apps/campaigns/cache.py: keyed by the campaign's versions,
dropped exactly when what they show changes). A hit costs three cache reads and no
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
    holds links). NotFound when there is no such campaign or it is not for this user."""
    campaign_id = cache.slug_campaign_id(slug)
    if campaign_id is None:
        campaign_id = campaign_id_for_slug(slug)
        if campaign_id is None:
            raise NotFound("No such campaign.")
    # The versions are read before the rows, so a concurrent change cannot be cached late.
    versions = cache.page_versions(campaign_id, comments=comments)
    key = cache.page_key(kind, campaign_id, versions, params)
    body = cache.page_get(key)
    if body is not None:
        return json_response(body)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign_visible_to(
        campaign, request.user, staff_verified=request_has_second_factor(request)
    ):
        raise NotFound("No such campaign.")
    body = JSONRenderer().render(build(campaign))
    if campaign_is_public(campaign):
        cache.page_set(key, body)
        cache.slug_remember(slug, campaign.pk)
    return json_response(body)
