"""Campaign media: validation of uploaded files and every write to `CampaignMedia`.

Nothing a client declares about a file is trusted: not the multipart content type, not
the filename. Images are decoded with Pillow and stored re-encoded (orientation
applied, metadata such as EXIF GPS, XMP and comments dropped, longer side capped);
videos are recognised by their magic bytes (ISO BMFF `ftyp` for MP4, EBML with the
`webm` doctype for WebM) and stored as sent.

Limits are read from settings at call time so that a deployment (or a test) can change
them: MEDIA_MAX_IMAGE_BYTES, MEDIA_MAX_VIDEO_BYTES, MEDIA_MAX_IMAGE_PIXELS,
MEDIA_MAX_IMAGE_SIDE, MEDIA_PRESIGN_EXPIRES_SECONDS.

Which campaign statuses allow media changes is `rules.can_edit(status, "media")`.
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.core.errors import ApplicationError, Conflict, InvalidInput, NotFound

from .cache import campaign_cache_invalidate
from .models import Campaign, CampaignMedia, MediaKind, MediaStatus
from .rules import can_edit
from .storage import s3_configured, s3_object_head_bytes, s3_object_size, s3_presigned_post
from .storage import storage_delete as _storage_delete

if TYPE_CHECKING:
    from uuid import UUID

    from django.core.files.uploadedfile import UploadedFile

    from apps.users.models import User

logger = logging.getLogger(__name__)

MB = 1024 * 1024

# The limits (MEDIA_MAX_* and MEDIA_PRESIGN_EXPIRES_SECONDS) are settings, read at call
# time; their defaults are declared in krogiving/settings.py.

# How much of a video is read to recognise it; an EBML header fits easily.
VIDEO_HEAD_BYTES = 4096
MIN_VIDEO_BYTES = 16

IMAGE_TYPES = {  # Pillow format -> (stored format, content type, extension)
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),  # phone JPEGs with a depth map; stored as JPEG
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
# Only these decoders are ever tried on user data.
_DECODERS = ("JPEG", "PNG", "WEBP")

VIDEO_MP4 = "video/mp4"
VIDEO_WEBM = "video/webm"
VIDEO_TYPES = {VIDEO_MP4: "mp4", VIDEO_WEBM: "webm"}
_VIDEO_LABELS = {VIDEO_MP4: "MP4", VIDEO_WEBM: "WebM"}

# ISO BMFF major brands that are not MP4 video: still images (HEIF, AVIF, JPEG 2000,
# Canon raw) and QuickTime, whose files are not MP4 even though they share the box format.
_NOT_MP4_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
    b"mif1", b"msf1", b"avif", b"avis", b"avio", b"jp2 ", b"jpx ", b"jpm ",
    b"mjp2", b"crx ", b"qt  ",
}  # fmt: skip


def max_image_bytes() -> int:
    return int(settings.MEDIA_MAX_IMAGE_BYTES)


def max_video_bytes() -> int:
    return int(settings.MEDIA_MAX_VIDEO_BYTES)


def max_image_pixels() -> int:
    return int(settings.MEDIA_MAX_IMAGE_PIXELS)


def max_image_side() -> int:
    return int(settings.MEDIA_MAX_IMAGE_SIDE)


def presign_expires_seconds() -> int:
    return int(settings.MEDIA_PRESIGN_EXPIRES_SECONDS)


def max_upload_bytes() -> int:
    """The largest file any upload may carry, whatever its kind."""
    return max(max_image_bytes(), max_video_bytes())


def max_bytes_for(kind: str | None) -> int:
    if kind == MediaKind.IMAGE:
        return max_image_bytes()
    if kind == MediaKind.VIDEO:
        return max_video_bytes()
    return max_upload_bytes()


def human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{size} bytes"


def _file_error(message: str, *, code: str = "invalid_file", field: str = "file") -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code, fields={field: [message]})


def file_too_large(kind: str | None, size: int | None = None) -> InvalidInput:
    limit = max_bytes_for(kind)
    what = {"image": "Images", "video": "Videos"}.get(kind or "", "Files")
    actual = f"The file is {human_size(size)}; " if size else "The file is too large; "
    return _file_error(f"{actual}{what} may be at most {human_size(limit)}.", code="file_too_large")


# --- Validation -----------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedMedia:
    """A checked file, ready to be stored under a name of our choosing."""

    content: File
    content_type: str
    extension: str
    size: int
    width: int | None = None
    height: int | None = None


class _TooManyPixels(Exception):
    pass


def image_prepare(file: Any) -> PreparedMedia:
    """Decode an uploaded image fully and re-encode it in its real format.

    Refuses anything Pillow's JPEG, PNG and WebP decoders cannot read completely, and
    images over the pixel cap before decoding them (decompression bombs).
    """
    size = _file_size(file)
    if size > max_image_bytes():
        raise file_too_large(MediaKind.IMAGE, size)
    pixel_cap = max_image_pixels()
    side = max_image_side()
    try:
        file.seek(0)
        with Image.open(file, formats=_DECODERS) as probe:
            width, height = probe.size
            if width * height > pixel_cap:
                raise _TooManyPixels(f"{width}x{height}")
            probe.verify()
        file.seek(0)
        with Image.open(file, formats=_DECODERS) as image:
            pillow_format = image.format or ""
            if pillow_format not in IMAGE_TYPES:
                raise UnidentifiedImageError(pillow_format)
            if pillow_format in {"JPEG", "MPO"}:
                # Decode at the smallest DCT scale still at least `side` wide: less memory.
                image.draft(None, (side, side))
            image.load()
            data, out_width, out_height = _reencode(image, IMAGE_TYPES[pillow_format][0], side)
    except ApplicationError:
        raise
    except _TooManyPixels as exc:
        raise _file_error(
            f"The image is {exc} pixels; at most {pixel_cap:,} pixels are accepted.",
            code="image_too_large",
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _file_error(
            f"The image has too many pixels; at most {pixel_cap:,} pixels are accepted.",
            code="image_too_large",
        ) from exc
    except UnidentifiedImageError as exc:
        raise _file_error(
            "The file is not a JPEG, PNG or WebP image.", code="unsupported_file_type"
        ) from exc
    except Exception as exc:
        # Pillow raises many types (OSError, SyntaxError, ValueError, struct.error, ...)
        # for broken input; every one of them is the client's file, never a 500.
        logger.info("image refused", extra={"error": repr(exc)})
        raise _file_error(
            "The image could not be read completely; it may be damaged or truncated.",
            code="invalid_image",
        ) from exc
    stored_format = IMAGE_TYPES[pillow_format]
    content = ContentFile(data)
    content.content_type = stored_format[1]  # type: ignore[attr-defined]  # read by S3Storage
    return PreparedMedia(
        content=content,
        content_type=stored_format[1],
        extension=stored_format[2],
        size=len(data),
        width=out_width,
        height=out_height,
    )


def _reencode(image: Image.Image, out_format: str, side: int) -> tuple[bytes, int, int]:
    """Orientation applied, longer side capped, and no metadata but the colour profile."""
    icc_profile = image.info.get("icc_profile")
    source_mode = image.mode
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:
        # A broken EXIF block: keep the pixels as they are rather than refuse the photo.
        image = image.copy()
    needs_resize = max(image.size) > side
    has_alpha = image.has_transparency_data

    if out_format == "JPEG":
        if image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
    elif out_format == "WEBP":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if has_alpha else "RGB")
    elif image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"} or (
        needs_resize and image.mode in {"1", "P"}
    ):
        # PNG: keep what it stores well; resample palettes in full colour, not nearest.
        image = image.convert("RGBA" if has_alpha else "RGB")
    if source_mode == "CMYK" and image.mode != "CMYK":
        icc_profile = None  # a CMYK profile would misdescribe the converted pixels

    if needs_resize:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)

    transparency = image.info.get("transparency") if out_format == "PNG" else None
    # Everything Pillow kept from the source (EXIF with GPS, XMP, comments, text chunks)
    # goes; savers read some of it from `info`, so it is emptied, not just not passed.
    image.info = {}
    params: dict[str, Any] = {}
    if icc_profile:
        params["icc_profile"] = icc_profile
    if transparency is not None:
        params["transparency"] = transparency
    if out_format == "JPEG":
        params.update(quality=85, optimize=True)
    elif out_format == "WEBP":
        params.update(quality=85)
    buffer = io.BytesIO()
    image.save(buffer, format=out_format, **params)
    return buffer.getvalue(), image.width, image.height


def video_sniff(head: bytes) -> str:
    """The content type of a video from its first bytes; refuses anything not MP4 or WebM."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        brand = head[8:12]
        if (box_size == 1 or box_size >= 16) and all(32 <= byte < 127 for byte in brand):
            if brand in _NOT_MP4_BRANDS:
                label = brand.decode("ascii").strip()
                raise _file_error(
                    f"The file is an ISO media file of brand '{label}' (a still image or "
                    "QuickTime movie), not an MP4 video.",
                    code="unsupported_file_type",
                )
            return VIDEO_MP4
    if head[:4] == b"\x1a\x45\xdf\xa3":
        doctype = _ebml_doctype(head)
        if doctype == b"webm":
            return VIDEO_WEBM
        if doctype == b"matroska":
            raise _file_error(
                "The file is a Matroska (.mkv) video; only MP4 and WebM are accepted.",
                code="unsupported_file_type",
            )
    raise _file_error("The file is not an MP4 or WebM video.", code="unsupported_file_type")


def _read_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at `pos`: (value, position after it)."""
    first = data[pos]
    if first == 0:
        raise ValueError("invalid EBML length")
    length = 9 - first.bit_length()
    raw = data[pos : pos + length]
    if len(raw) < length:
        raise ValueError("truncated EBML")
    value = int.from_bytes(raw, "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, pos + length


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of the EBML header at the start of `head` (b"webm", b"matroska")."""
    try:
        element_id, pos = _read_vint(head, 0, keep_marker=True)
        if element_id != 0x1A45DFA3:
            return None
        header_size, pos = _read_vint(head, pos, keep_marker=False)
        end = min(pos + header_size, len(head))
        while pos < end:
            element_id, pos = _read_vint(head, pos, keep_marker=True)
            element_size, pos = _read_vint(head, pos, keep_marker=False)
            if element_id == 0x4282:
                return head[pos : pos + element_size].rstrip(b"\x00")
            pos += element_size
    except (ValueError, IndexError):
        return None
    return None


def video_prepare(file: Any) -> PreparedMedia:
    """Check an uploaded video by its magic bytes; it is stored as sent."""
    size = _file_size(file)
    if size > max_video_bytes():
        raise file_too_large(MediaKind.VIDEO, size)
    if size < MIN_VIDEO_BYTES:
        raise _file_error("The file is too small to be a video.", code="unsupported_file_type")
    file.seek(0)
    head = file.read(VIDEO_HEAD_BYTES)
    file.seek(0)
    content_type = video_sniff(head)
    content = File(file)
    # S3Storage takes the object's Content-Type from here, not from what the client said.
    content.content_type = content_type  # type: ignore[attr-defined]
    return PreparedMedia(
        content=content,
        content_type=content_type,
        extension=VIDEO_TYPES[content_type],
        size=size,
    )


def _file_size(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
    return int(size)


# --- Selectors ------------------------------------------------------------------------


def media_ready() -> QuerySet[CampaignMedia]:
    """Media the public may see: confirmed uploads only, in display order."""
    return CampaignMedia.objects.filter(status=MediaStatus.READY).order_by("position", "created_at")


def _owned_campaign(*, user: User, campaign_id: UUID, lock: bool = False) -> Campaign:
    campaigns = Campaign.objects.filter(pk=campaign_id, organizer_id=user.pk)
    if lock:
        campaigns = campaigns.select_for_update(of=("self",))
    campaign = campaigns.first()
    if campaign is None:
        raise NotFound(
            "campaign: No campaign with this id.",
            fields={"campaign": ["No campaign with this id."]},
        )
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


def _lock_media(media_id: UUID) -> CampaignMedia:
    media = CampaignMedia.objects.select_for_update(of=("self",)).filter(pk=media_id).first()
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
        items = list(
            CampaignMedia.objects.select_for_update(of=("self",))
            .filter(campaign=campaign)
            .order_by("position", "created_at", "id")
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
        raise _file_error(
            "Nothing has been uploaded for this media yet; send the file to the presigned "
            "URL, then confirm.",
            code="upload_missing",
        )
    if size > max_video_bytes():
        _discard(media)
        raise file_too_large(MediaKind.VIDEO, size)
    if size < MIN_VIDEO_BYTES:
        _discard(media)
        raise _file_error("The file is too small to be a video.", code="unsupported_file_type")
    try:
        detected = video_sniff(s3_object_head_bytes(name, VIDEO_HEAD_BYTES))
    except InvalidInput:
        _discard(media)
        raise
    if detected != media.content_type:
        _discard(media)
        raise _file_error(
            f"The uploaded file is a {_VIDEO_LABELS[detected]} video, but {media.content_type} "
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
            media = (
                CampaignMedia.objects.select_for_update(skip_locked=True)
                .filter(pk=media_id, status=MediaStatus.PENDING)
                .first()
            )
            if media is None:
                continue
            name = media.file.name
            media.delete()
            transaction.on_commit(partial(_storage_delete, name), robust=True)
            removed += 1
    return removed
