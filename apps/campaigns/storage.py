"""Where campaign media live: Django's storage API, plus the S3 calls it does not offer.

Everything goes through the storage the `CampaignMedia.file` field uses (the default
storage): DigitalOcean Spaces through django-storages' S3 backend when `SPACES_*` are
set, the local media directory otherwise. Presigned direct uploads and the checks after
them need the S3 client itself, which only the S3 backend has.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import Storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from apps.core.errors import UpstreamError

from .models import CampaignMedia

logger = logging.getLogger(__name__)


def media_storage() -> Storage:
    """The storage `CampaignMedia.file` writes to (follows STORAGES["default"])."""
    return CampaignMedia._meta.get_field("file").storage


def s3_configured() -> bool:
    return isinstance(media_storage(), S3Storage)


def media_url(name: str) -> str:
    """Public URL of a stored object: `storage.url(name)`, made absolute for local disk.

    Spaces URLs are already absolute (under SPACES_BUCKET_URL); local ones are
    `/media/...`, which a front end on another origin could not use as is.
    """
    if not name:
        return ""
    url = media_storage().url(name)
    if url.startswith(("http://", "https://", "//")):
        return url
    return urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", url.lstrip("/"))


def storage_delete(name: str) -> None:
    """Delete a stored object; a failure is logged, never raised (runs after commits)."""
    if not name:
        return
    try:
        media_storage().delete(name)
    except Exception:
        # The row is gone already; an orphaned object costs storage, not correctness.
        logger.exception("media object could not be deleted", extra={"storage_name": name})


# --- S3 only --------------------------------------------------------------------------


def _s3() -> S3Storage:
    storage = media_storage()
    if not isinstance(storage, S3Storage):
        raise RuntimeError("S3 storage is not configured")
    return storage


def s3_key(name: str) -> str:
    """The object key of a storage name (the backend prefixes its `location`)."""
    return _s3()._normalize_name(clean_name(name))


def _client():
    return _s3().connection.meta.client


def _upstream(exc: Exception, action: str) -> UpstreamError:
    logger.warning("media storage call failed", extra={"action": action, "error": str(exc)})
    return UpstreamError(f"The file storage did not answer ({action}). Try again.")


def s3_presigned_post(
    *, name: str, content_type: str, max_bytes: int, expires_in: int
) -> dict[str, Any]:
    """A form POST that can create exactly this key, public-read, of at most max_bytes."""
    storage = _s3()
    fields: dict[str, str] = {"Content-Type": content_type}
    conditions: list[Any] = [
        {"Content-Type": content_type},
        ["content-length-range", 1, max_bytes],
    ]
    if storage.default_acl:
        fields["acl"] = storage.default_acl
        conditions.append({"acl": storage.default_acl})
    try:
        return _client().generate_presigned_post(
            Bucket=storage.bucket_name,
            Key=s3_key(name),
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=expires_in,
        )
    except (BotoCoreError, ClientError) as exc:
        raise _upstream(exc, "presign") from exc


def s3_object_size(name: str) -> int | None:
    """Size of the stored object (HEAD), None when there is no such object."""
    try:
        answer = _client().head_object(Bucket=_s3().bucket_name, Key=s3_key(name))
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404 or exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}:
            return None
        raise _upstream(exc, "head") from exc
    except BotoCoreError as exc:
        raise _upstream(exc, "head") from exc
    return int(answer["ContentLength"])


def s3_object_head_bytes(name: str, count: int) -> bytes:
    """The first `count` bytes of the stored object (ranged GET), for magic-byte checks."""
    try:
        answer = _client().get_object(
            Bucket=_s3().bucket_name, Key=s3_key(name), Range=f"bytes=0-{count - 1}"
        )
        return answer["Body"].read(count)
    except (BotoCoreError, ClientError) as exc:
        raise _upstream(exc, "read") from exc
