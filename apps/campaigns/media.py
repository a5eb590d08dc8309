"""Campaign media: every write to `CampaignMedia` (upload, presign, confirm, update,
delete, expiry) and the public selector.

What a file really is (Pillow decoding, magic bytes, metadata stripping, size limits) is
decided in `media_inspection`, which needs no database.

Which campaign statuses allow media changes is `rules.can_edit(status, "media")`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.core.locks import (
    lock_campaign,
    lock_campaign_media,
    lock_campaign_media_all,
    lock_campaign_media_if_free,
)

from .cache import campaign_cache_invalidate
from .media_inspection import (
    MIN_VIDEO_BYTES,
    VIDEO_HEAD_BYTES,
    VIDEO_LABELS,
    VIDEO_TYPES,
    file_error,
    file_too_large,
    human_size,
    image_prepare,
    max_video_bytes,
    presign_expires_seconds,
    video_prepare,
    video_sniff,
)
from .models import Campaign, CampaignMedia, MediaKind, MediaStatus
from .rules import can_edit
from .storage import s3_configured, s3_object_head_bytes, s3_object_size, s3_presigned_post
from .storage import storage_delete as _storage_delete

if TYPE_CHECKING:
    from uuid import UUID

    from django.core.files.uploadedfile import UploadedFile

    from apps.users.models import User

logger = logging.getLogger(__name__)

# --- Selectors ------------------------------------------------------------------------


def media_ready() -> QuerySet[CampaignMedia]:
    """Media the public may see: confirmed uploads only, in display order."""
    return CampaignMedia.objects.filter(status=MediaStatus.READY).order_by("position", "created_at")


def _owned_campaign(*, user: User, campaign_id: UUID, lock: bool = False) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id, organizer_id=user.pk).first()
    if campaign is None:
        raise NotFound(
            "campaign: No campaign with this id.",
            fields={"campaign": ["No campaign with this id."]},
        )
    if lock:
        locked: Campaign = lock_campaign(campaign.pk)
        return locked
    return campaign


def _owned_media(*, user: User, media_id: UUID) -> CampaignMedia:
    media = (
        CampaignMedia.objects.select_related("campaign")
        .filter(pk=media_id, campaign__organizer_id=user.pk)
        .first()
    )
    if media is None:
        raise NotFound("No media with this id.")
    return media


def _check_media_editable(campaign: Campaign) -> None:
    if not can_edit(campaign.status, "media"):
        raise Conflict(f"Media cannot be changed while the campaign is {campaign.status}.")


def max_media_per_campaign() -> int:
    return int(settings.MEDIA_MAX_PER_CAMPAIGN)


def _check_media_room(campaign: Campaign) -> None:
    """Refuse a new item when the campaign already has MEDIA_MAX_PER_CAMPAIGN (pending
    direct uploads count). Final under the campaign's row lock; also asked before a
    file is decoded, so a full campaign costs no decoding."""
    limit = max_media_per_campaign()
    if CampaignMedia.objects.filter(campaign=campaign).count() >= limit:
        raise Conflict(
            f"A campaign may have at most {limit} media items; delete one to add another.",
            code="too_many_media",
        )


def _lock_media(media_id: UUID) -> CampaignMedia:
    media: CampaignMedia | None = lock_campaign_media(media_id)
    if media is None:
        raise NotFound("No media with this id.")
    return media


def _place(media: CampaignMedia, campaign: Campaign) -> None:
    """Last position; the cover when it is an image and the campaign has no cover yet.

    Callers hold the campaign's row lock, so two uploads cannot both become the cover.
    """
    siblings = CampaignMedia.objects.filter(campaign=campaign)
    last = siblings.aggregate(last=Max("position"))["last"]
    media.position = 0 if last is None else last + 1
    media.is_cover = media.kind == MediaKind.IMAGE and not siblings.filter(is_cover=True).exists()


def _promote_cover(campaign: Campaign) -> None:
    if CampaignMedia.objects.filter(campaign=campaign, is_cover=True).exists():
        return
    first_image = (
        CampaignMedia.objects.filter(
            campaign=campaign, kind=MediaKind.IMAGE, status=MediaStatus.READY
        )
        .order_by("position", "created_at")
        .first()
    )
    if first_image is not None:
        first_image.is_cover = True
        first_image.save(update_fields=["is_cover", "updated_at"])


def _new_name(media: CampaignMedia, extension: str) -> str:
    """A storage name we choose: campaigns/<year>/<month>/<random>.<real extension>."""
    field = CampaignMedia._meta.get_field("file")
    return field.generate_filename(media, f"{uuid.uuid4().hex}.{extension}")


# --- Services -------------------------------------------------------------------------


def campaign_media_upload(
    *, user: User, campaign_id: UUID, kind: str, file: UploadedFile
) -> CampaignMedia:
    """Validate, store, then record an upload; the object is removed if recording fails.

    The object is written before the short transaction that locks the campaign, so no
    row lock is held while a 200 MB video travels to storage.
    """
    campaign = _owned_campaign(user=user, campaign_id=campaign_id)
    _check_media_editable(campaign)
    _check_media_room(campaign)
    if kind == MediaKind.IMAGE:
        prepared = image_prepare(file)
    elif kind == MediaKind.VIDEO:
        prepared = video_prepare(file)
    else:
        raise InvalidInput(
            "kind: Must be image or video.", fields={"kind": ["Must be image or video."]}
        )

    media = CampaignMedia(
        campaign=campaign,
        kind=kind,
        status=MediaStatus.READY,
        content_type=prepared.content_type,
        size=prepared.size,
        width=prepared.width,
        height=prepared.height,
        uploaded_by=user,
    )
    media.file.save(f"{uuid.uuid4().hex}.{prepared.extension}", prepared.content, save=False)
    try:
        with transaction.atomic():
            campaign = _owned_campaign(user=user, campaign_id=campaign.pk, lock=True)
            _check_media_editable(campaign)
            _check_media_room(campaign)
            media.campaign = campaign
            _place(media, campaign)
            media.save(force_insert=True)
            campaign_cache_invalidate(campaign.pk)
    except BaseException:
        _storage_delete(media.file.name)
        raise
    logger.info(
        "campaign media uploaded",
        extra={"media_id": str(media.pk), "campaign_id": str(campaign.pk), "kind": kind},
    )
    return media


def campaign_media_delete(*, user: User, media_id: UUID) -> None:
    """Remove media and, after the commit, its stored object; the next image becomes cover."""
    media = _owned_media(user=user, media_id=media_id)
    with transaction.atomic():
        campaign = _owned_campaign(user=user, campaign_id=media.campaign_id, lock=True)
        _check_media_editable(campaign)
        media = _lock_media(media.pk)
        name = media.file.name
        media.delete()
        _promote_cover(campaign)
        campaign_cache_invalidate(campaign.pk)
        transaction.on_commit(partial(_storage_delete, name), robust=True)


def campaign_media_update(
    *,
    user: User,
    media_id: UUID,
    position: int | None = None,
    is_cover: bool | None = None,
) -> CampaignMedia:
    """Move media to `position` (0-based index among the campaign's media) and/or make it
    the cover. Positions are renumbered 0..n-1; one cover per campaign."""
    media = _owned_media(user=user, media_id=media_id)
    with transaction.atomic():
        campaign = _owned_campaign(user=user, campaign_id=media.campaign_id, lock=True)
        _check_media_editable(campaign)
        items = sorted(
            lock_campaign_media_all(campaign_id=campaign.pk),
            key=lambda item: (item.position, item.created_at, item.id),
        )
        target = next((item for item in items if item.pk == media.pk), None)
        if target is None:
            raise NotFound("No media with this id.")
        if target.status != MediaStatus.READY:
            raise Conflict("This upload is not confirmed yet.")
        if is_cover is True and target.kind != MediaKind.IMAGE:
            raise InvalidInput(
                "is_cover: Only an image can be the cover.",
                fields={"is_cover": ["Only an image can be the cover."]},
            )
        if is_cover is False and target.is_cover:
            message = "The campaign keeps a cover image: make another image the cover instead."
            raise InvalidInput(f"is_cover: {message}", fields={"is_cover": [message]})

        changed: set[CampaignMedia] = set()
        if is_cover:
            for item in items:
                if item.is_cover != (item is target):
                    item.is_cover = item is target
                    changed.add(item)
        if position is not None:
            items.remove(target)
            items.insert(min(max(position, 0), len(items)), target)
            for index, item in enumerate(items):
                if item.position != index:
                    item.position = index
                    changed.add(item)
        if changed:
            now = timezone.now()
            for item in changed:
                item.updated_at = now
            CampaignMedia.objects.bulk_update(list(changed), ["position", "is_cover", "updated_at"])
            campaign_cache_invalidate(campaign.pk)
    return target


def campaign_media_presign(
    *,
    user: User,
    campaign_id: UUID,
    kind: str,
    filename: str,
    size: int,
    content_type: str,
) -> tuple[CampaignMedia, dict[str, Any]]:
    """A pending video and a presigned POST that can only create its object.

    The filename and type the client announces only choose the extension and the
    object's Content-Type; `campaign_media_confirm` checks the bytes that arrived.
    """
    if kind != MediaKind.VIDEO:
        message = "Direct uploads are for videos; send images to POST /v1/file-upload."
        raise InvalidInput(f"kind: {message}", fields={"kind": [message]})
    if not s3_configured():
        raise Conflict(
            "Direct uploads need S3 storage (the SPACES_* settings); "
            "send the file to POST /v1/file-upload instead.",
            code="direct_upload_unavailable",
        )
    if content_type not in VIDEO_TYPES:
        message = "Must be video/mp4 or video/webm."
        raise InvalidInput(f"content_type: {message}", fields={"content_type": [message]})
    limit = max_video_bytes()
    if size > limit:
        message = f"The file is {human_size(size)}; videos may be at most {human_size(limit)}."
        raise InvalidInput(f"size: {message}", code="file_too_large", fields={"size": [message]})

    campaign = _owned_campaign(user=user, campaign_id=campaign_id)
    _check_media_editable(campaign)
    _check_media_room(campaign)
    media = CampaignMedia(
        campaign=campaign,
        kind=MediaKind.VIDEO,
        status=MediaStatus.PENDING,
        content_type=content_type,
        size=size,
        uploaded_by=user,
    )
    media.file.name = _new_name(media, VIDEO_TYPES[content_type])
    expires_in = presign_expires_seconds()
    upload = s3_presigned_post(
        name=media.file.name, content_type=content_type, max_bytes=limit, expires_in=expires_in
    )
    with transaction.atomic():
        campaign = _owned_campaign(user=user, campaign_id=campaign.pk, lock=True)
        _check_media_editable(campaign)
        _check_media_room(campaign)
        media.campaign = campaign
        _place(media, campaign)
        media.save(force_insert=True)
    logger.info(
        "campaign media presigned",
        extra={"media_id": str(media.pk), "campaign_id": str(campaign.pk), "size": size},
    )
    return media, {
        "method": "POST",
        "url": upload["url"],
        "fields": upload["fields"],
        "max_bytes": limit,
        "expires_in": expires_in,
    }


def campaign_media_confirm(*, user: User, media_id: UUID) -> CampaignMedia:
    """Check what a direct upload stored (HEAD + first bytes) and make the media ready.

    A missing object leaves the media pending (the upload may still be running); an
    object that is too large or not the announced video is deleted with its row.
    Confirming ready media again answers it unchanged.
    """
    media = _owned_media(user=user, media_id=media_id)
    if media.status == MediaStatus.READY:
        return media
    _check_media_editable(media.campaign)
    if not s3_configured():
        raise Conflict(
            "Direct uploads need S3 storage (the SPACES_* settings).",
            code="direct_upload_unavailable",
        )
    name = media.file.name
    size = s3_object_size(name)
    if size is None:
        raise file_error(
            "Nothing has been uploaded for this media yet; send the file to the presigned "
            "URL, then confirm.",
            code="upload_missing",
        )
    if size > max_video_bytes():
        _discard(media)
        raise file_too_large(MediaKind.VIDEO, size)
    if size < MIN_VIDEO_BYTES:
        _discard(media)
        raise file_error("The file is too small to be a video.", code="unsupported_file_type")
    try:
        detected = video_sniff(s3_object_head_bytes(name, VIDEO_HEAD_BYTES), size)
    except InvalidInput:
        _discard(media)
        raise
    if detected != media.content_type:
        _discard(media)
        raise file_error(
            f"The uploaded file is a {VIDEO_LABELS[detected]} video, but {media.content_type} "
            "was announced; ask for a new upload with the right content_type.",
            code="unsupported_file_type",
        )
    with transaction.atomic():
        campaign = _owned_campaign(user=user, campaign_id=media.campaign_id, lock=True)
        _check_media_editable(campaign)
        media = _lock_media(media.pk)
        if media.status != MediaStatus.READY:
            media.status = MediaStatus.READY
            media.size = size
            media.save(update_fields=["status", "size", "updated_at"])
            campaign_cache_invalidate(campaign.pk)
    logger.info("campaign media confirmed", extra={"media_id": str(media.pk), "size": size})
    return media


def _discard(media: CampaignMedia) -> None:
    """Drop a refused direct upload: the object at once (it is public-read), then the row."""
    _storage_delete(media.file.name)
    CampaignMedia.objects.filter(pk=media.pk, status=MediaStatus.PENDING).delete()
    logger.info("direct upload refused", extra={"media_id": str(media.pk)})


def campaign_media_expire_pending(*, older_than: timedelta | None = None) -> int:
    """Delete direct uploads never confirmed (rows and any objects). Safe to run often."""
    if older_than is None:
        older_than = timedelta(seconds=presign_expires_seconds()) + timedelta(hours=1)
    cutoff = timezone.now() - older_than
    removed = 0
    stale_ids = list(
        CampaignMedia.objects.filter(status=MediaStatus.PENDING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for media_id in stale_ids:
        with transaction.atomic():
            media = lock_campaign_media_if_free(media_id, status=MediaStatus.PENDING)
            if media is None:
                continue
            name = media.file.name
            media.delete()
            transaction.on_commit(partial(_storage_delete, name), robust=True)
            removed += 1
    return removed
