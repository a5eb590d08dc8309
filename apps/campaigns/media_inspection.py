"""Campaign media inspection: what an uploaded file really is, without the database.

Nothing a client declares about a file is trusted: not the multipart content type, not
the filename. Images are decoded with Pillow and re-encoded (orientation applied,
metadata such as EXIF GPS, XMP and comments dropped, longer side capped); videos are
recognised by their magic bytes (ISO BMFF `ftyp` for MP4, EBML with the `webm` doctype
for WebM) and kept as sent.

Limits are read from settings at call time so that a deployment (or a test) can change
them: MEDIA_MAX_IMAGE_BYTES, MEDIA_MAX_VIDEO_BYTES, MEDIA_MAX_IMAGE_PIXELS,
MEDIA_MAX_IMAGE_SIDE, MEDIA_PRESIGN_EXPIRES_SECONDS.

The services that store and confirm media (`apps.campaigns.media`) call these.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.core.errors import ApplicationError, InvalidInput

from .models import MediaKind

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
VIDEO_LABELS = {VIDEO_MP4: "MP4", VIDEO_WEBM: "WebM"}

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


def max_decode_bytes() -> int:
    return int(settings.MEDIA_MAX_DECODE_BYTES)


# Bytes a pixel takes in Pillow's memory: "1", "L" and "P" one, 16-bit grey two, every
# other mode four (RGB is kept as RGBX).
_ONE_BYTE_MODES = {"1", "L", "P"}


def decoded_bytes(mode: str, size: tuple[int, int]) -> int:
    """The memory of the pixel buffer Pillow allocates to decode an image of `mode`."""
    per_pixel = 1 if mode in _ONE_BYTE_MODES else 2 if mode.startswith("I;16") else 4
    return size[0] * size[1] * per_pixel


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


def file_error(message: str, *, code: str = "invalid_file", field: str = "file") -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code, fields={field: [message]})


def file_too_large(kind: str | None, size: int | None = None) -> InvalidInput:
    limit = max_bytes_for(kind)
    what = {"image": "Images", "video": "Videos"}.get(kind or "", "Files")
    actual = f"The file is {human_size(size)}; " if size else "The file is too large; "
    return file_error(f"{actual}{what} may be at most {human_size(limit)}.", code="file_too_large")


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

    Refuses anything Pillow's JPEG, PNG and WebP decoders cannot read completely, and,
    from the header alone, before decoding (decompression bombs): images over the pixel
    cap, and images whose decoded pixels would take more than MEDIA_MAX_DECODE_BYTES
    (a JPEG is judged at the reduced scale it is decoded at).
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
            if decoded_bytes(image.mode, image.size) > max_decode_bytes():
                raise _TooManyPixels(f"{width}x{height}")
            image.load()
            data, out_width, out_height = _reencode(image, IMAGE_TYPES[pillow_format][0], side)
    except ApplicationError:
        raise
    except _TooManyPixels as exc:
        raise file_error(
            f"The image is {exc} pixels; at most {pixel_cap:,} pixels are accepted.",
            code="image_too_large",
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise file_error(
            f"The image has too many pixels; at most {pixel_cap:,} pixels are accepted.",
            code="image_too_large",
        ) from exc
    except UnidentifiedImageError as exc:
        raise file_error(
            "The file is not a JPEG, PNG or WebP image.", code="unsupported_file_type"
        ) from exc
    except Exception as exc:
        # Pillow raises many types (OSError, SyntaxError, ValueError, struct.error, ...)
        # for broken input; every one of them is the client's file, never a 500.
        logger.info("image refused", extra={"error": repr(exc)})
        raise file_error(
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
        # In place: no second full-size copy unless the image really is rotated.
        ImageOps.exif_transpose(image, in_place=True)
    except Exception as exc:
        # A broken EXIF block: keep the pixels as they are rather than refuse the photo.
        logger.info("image orientation ignored", extra={"error": repr(exc)})
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


# Top-level ISO BMFF boxes an MP4 may carry (ISO/IEC 14496-12 and -14, QuickTime's
# `wide`); anything else at the top level is not an MP4 we accept.
_MP4_TOP_BOXES = {
    b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta",
    b"pdin", b"moof", b"mfra", b"sidx", b"ssix", b"prft", b"emsg", b"udta",
}  # fmt: skip
_MP4_MEDIA_BOXES = {b"moov", b"mdat", b"moof"}
# A file of millions of empty boxes would take as many reads: past this many, refused.
MAX_MP4_TOP_BOXES = 1000


def _mp4_structure_ok(read: Callable[[int, int], bytes], total_size: int | None) -> bool:
    """Whether the top-level boxes are consistent: known types, sizes that fit the file and
    end exactly at its end, and a movie (`moov`, `mdat` or `moof`) among them.

    `read(offset, count)` gives what is known of the file (fewer bytes past the known
    part). When only the head is known (a direct upload's first bytes), a walk that
    leaves it with every size fitting `total_size` is accepted if it met no error.
    """
    pos = 0
    seen_media = False
    for _ in range(MAX_MP4_TOP_BOXES):
        if total_size is not None and pos == total_size:
            return seen_media
        header = read(pos, 16)
        if len(header) < 8:
            if total_size is None:  # `read` knows the whole file: it must end on a box
                return seen_media and not header
            # Past the bytes known (a head): the rest of the file is not seen.
            return total_size > pos + len(header)
        size = int.from_bytes(header[0:4], "big")
        kind = header[4:8]
        if kind not in _MP4_TOP_BOXES or (pos == 0 and kind != b"ftyp"):
            return False
        header_size = 8
        if size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                return False
            size = int.from_bytes(header[8:16], "big")
            header_size = 16
        elif size == 0:  # the box runs to the end of the file: only the media data may
            return kind == b"mdat"
        if size < header_size or (total_size is not None and pos + size > total_size):
            return False
        seen_media = seen_media or kind in _MP4_MEDIA_BOXES
        pos += size
    return False


def _not_an_mp4() -> InvalidInput:
    return file_error(
        "The file starts like an MP4 video, but its structure is not one.",
        code="unsupported_file_type",
    )


def video_sniff(
    head: bytes,
    total_size: int | None = None,
    read: Callable[[int, int], bytes] | None = None,
) -> str:
    """The content type of a video from its first bytes; refuses anything not MP4 or WebM.

    An MP4's top-level box structure is checked too (`_mp4_structure_ok`): through
    `read(offset, count)` over the whole file when given, else within `head` (and
    `total_size`, the file's size, when known).
    """
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        brand = head[8:12]
        if (box_size == 1 or box_size >= 16) and all(32 <= byte < 127 for byte in brand):
            if brand in _NOT_MP4_BRANDS:
                label = brand.decode("ascii").strip()
                raise file_error(
                    f"The file is an ISO media file of brand '{label}' (a still image or "
                    "QuickTime movie), not an MP4 video.",
                    code="unsupported_file_type",
                )
            if read is None:
                read = partial(_slice, head)
            if not _mp4_structure_ok(read, total_size):
                raise _not_an_mp4()
            return VIDEO_MP4
    if head[:4] == b"\x1a\x45\xdf\xa3":
        doctype = _ebml_doctype(head)
        if doctype == b"webm":
            return VIDEO_WEBM
        if doctype == b"matroska":
            raise file_error(
                "The file is a Matroska (.mkv) video; only MP4 and WebM are accepted.",
                code="unsupported_file_type",
            )
    raise file_error("The file is not an MP4 or WebM video.", code="unsupported_file_type")


def _slice(data: bytes, offset: int, count: int) -> bytes:
    return data[offset : offset + count]


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
        raise file_error("The file is too small to be a video.", code="unsupported_file_type")
    file.seek(0)
    head = file.read(VIDEO_HEAD_BYTES)
    content_type = video_sniff(head, size, partial(_read_at, file))
    file.seek(0)
    content = File(file)
    # S3Storage takes the object's Content-Type from here, not from what the client said.
    content.content_type = content_type  # type: ignore[attr-defined]
    return PreparedMedia(
        content=content,
        content_type=content_type,
        extension=VIDEO_TYPES[content_type],
        size=size,
    )


def _read_at(file: Any, offset: int, count: int) -> bytes:
    file.seek(offset)
    data: bytes = file.read(count)
    return data


def _file_size(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
    return int(size)
