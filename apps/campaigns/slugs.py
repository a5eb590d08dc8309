"""Campaign slugs: readable, unique across current and former slugs, never reused.

`help-ada-walk-again`, then `help-ada-walk-again-2`, `-3`, ... A slug belongs to one
campaign for ever: every slug a campaign has held is a `CampaignSlug` row (the current
one included), and `CampaignSlug.slug` is unique, so no other campaign can take it and
old links keep resolving.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.text import slugify

from .models import Campaign, CampaignSlug

FALLBACK_BASE = "campaign"
# Paths under /v1/campaigns/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"mine"})
# Leaves room for "-<n>" within the field's 180 characters.
BASE_MAX_LENGTH = 160
_UUID_SHAPED = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


def slug_base(title: str) -> str:
    """The slug a title asks for, before de-duplication."""
    base = slugify(title or "")[:BASE_MAX_LENGTH].strip("-_")
    # A title of only symbols or a non-Latin script slugifies to nothing; a slug that
    # looks like a UUID would be read as a campaign id by /v1/campaigns/<id>.
    if not base or _UUID_SHAPED.match(base):
        return f"{FALLBACK_BASE}-{base}".rstrip("-") if base else FALLBACK_BASE
    return base


def slug_is_valid(slug: str) -> bool:
    return bool(slug) and slugify(slug) == slug and slug not in RESERVED_SLUGS


def slug_fits_title(slug: str, title: str) -> bool:
    """True when `slug` is the title's base slug or one of its numbered variants."""
    base = slug_base(title)
    return slug == base or bool(re.fullmatch(rf"{re.escape(base)}-[0-9]+", slug))


def slug_choose(*, title: str, campaign_id: Any = None) -> str:
    """The first free slug for `title`; slugs `campaign_id` itself once held count as free."""
    base = slug_base(title)
    family = rf"^{re.escape(base)}(-[0-9]+)?$"
    history = CampaignSlug.objects.filter(slug__regex=family)
    current = Campaign.objects.filter(slug__regex=family)
    if campaign_id is not None:
        history = history.exclude(campaign_id=campaign_id)
        current = current.exclude(pk=campaign_id)
    taken = set(history.values_list("slug", flat=True)) | set(
        current.values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def slug_owner_id(slug: str) -> Any:
    """The id of the campaign a slug (current or former) resolves to, or None."""
    owner = CampaignSlug.objects.filter(slug=slug).values_list("campaign_id", flat=True).first()
    if owner is None:
        owner = Campaign.objects.filter(slug=slug).values_list("pk", flat=True).first()
    return owner
