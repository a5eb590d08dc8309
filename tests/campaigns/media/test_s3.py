"""The S3 path (DigitalOcean Spaces in production) against moto's S3 server on loopback.

Nothing is patched: django-storages and boto3 talk HTTP to the server, and the test
reads the bucket back with its own boto3 client.
"""

import base64
import io
import json

import pytest
import requests
from PIL import Image

from apps.campaigns.models import CampaignMedia, CampaignStatus, MediaStatus

from .conftest import client_for, make_campaign, object_exists
from .files import mp4_bytes, png_bytes, upload, webm_bytes

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _s3(s3_storage):
    return s3_storage


def is_public_read(s3_client, bucket: str, key: str) -> bool:
    grants = s3_client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    return any(
        grant["Grantee"].get("URI") == ALL_USERS and grant["Permission"] == "READ"
        for grant in grants
    )


def send(client, campaign, data, *, kind="image", name="photo.jpg", declared="image/jpeg"):
    return client.post(
        "/v1/file-upload",
        {"file": upload(name, data, declared), "campaign": str(campaign.id), "kind": kind},
        format="multipart",
    )


def presign(client, campaign, *, size=4096, content_type="video/mp4", kind="video"):
    return client.post(
        "/v1/file-upload/presign",
        {
            "campaign": str(campaign.id),
            "kind": kind,
            "filename": "Our story.mp4",
            "size": size,
            "content_type": content_type,
        },
        format="json",
    )


def post_to_storage(upload_spec: dict, data: bytes, filename: str = "video.mp4"):
    assert upload_spec["method"] == "POST"
    return requests.post(
        upload_spec["url"],
        data=upload_spec["fields"],
        files={"file": (filename, data)},
        timeout=10,
    )


# --- Upload through the API, delete ---------------------------------------------------


def test_image_upload_lands_in_the_bucket_public_read(
    owner_api, campaign, s3_client, s3_storage, media_root
):
    response = send(owner_api, campaign, png_bytes(30, 20), name="x.jpg")

    assert response.status_code == 201, response.content
    body = response.json()
    media = CampaignMedia.objects.get(pk=body["id"])
    key = media.file.name
    head = s3_client.head_object(Bucket=s3_storage, Key=key)
    assert head["ContentType"] == "image/png"
    assert head["ContentLength"] == body["size"]
    assert is_public_read(s3_client, s3_storage, key)
    assert not media_root.exists()  # nothing went to local disk

    # The URL the API hands out is the public object URL: fetchable without credentials.
    assert body["url"].endswith(key)
    fetched = requests.get(body["url"], timeout=10)
    assert fetched.status_code == 200
    with Image.open(io.BytesIO(fetched.content)) as image:
        assert image.format == "PNG"
        assert image.size == (30, 20)


def test_video_upload_gets_the_detected_content_type(owner_api, campaign, s3_client, s3_storage):
    data = webm_bytes()

    response = send(owner_api, campaign, data, kind="video", name="a.mp4", declared="video/mp4")

    assert response.status_code == 201, response.content
    key = CampaignMedia.objects.get(pk=response.json()["id"]).file.name
    assert key.endswith(".webm")
    stored = s3_client.get_object(Bucket=s3_storage, Key=key)
    assert stored["ContentType"] == "video/webm"
    assert stored["Body"].read() == data


def test_refused_upload_leaves_nothing_in_the_bucket(owner_api, campaign, s3_client, s3_storage):
    response = send(owner_api, campaign, b"MZ" + b"\x00" * 500)

    assert response.status_code == 400
    assert s3_client.list_objects_v2(Bucket=s3_storage).get("KeyCount") == 0


def test_delete_removes_the_object(
    owner_api, campaign, s3_client, s3_storage, django_capture_on_commit_callbacks
):
    media_id = send(owner_api, campaign, png_bytes()).json()["id"]
    key = CampaignMedia.objects.get(pk=media_id).file.name
    assert object_exists(s3_client, s3_storage, key)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.delete(f"/v1/file-upload/{media_id}")

    assert response.status_code == 204
    assert not object_exists(s3_client, s3_storage, key)


def test_refused_delete_keeps_the_object(owner_api, campaign, stranger, s3_client, s3_storage):
    media_id = send(owner_api, campaign, png_bytes()).json()["id"]
    key = CampaignMedia.objects.get(pk=media_id).file.name

    assert client_for(stranger).delete(f"/v1/file-upload/{media_id}").status_code == 404
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    assert owner_api.delete(f"/v1/file-upload/{media_id}").status_code == 409

    assert object_exists(s3_client, s3_storage, key)


# --- Presigned direct upload ----------------------------------------------------------


def test_presign_upload_confirm_makes_the_video_ready(owner_api, campaign, s3_client, s3_storage):
    image = send(owner_api, campaign, png_bytes()).json()
    data = mp4_bytes(payload=3000)

    response = presign(owner_api, campaign, size=len(data))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["kind"] == "video"
    assert body["is_cover"] is False
    assert body["position"] == image["position"] + 1
    media = CampaignMedia.objects.get(pk=body["id"])
    assert media.status == MediaStatus.PENDING
    key = media.file.name
    assert key.startswith("campaigns/") and key.endswith(".mp4")
    assert "Our story" not in key  # the server chooses the key

    upload_spec = body["upload"]
    assert upload_spec["fields"]["key"] == key
    assert upload_spec["max_bytes"] == 200 * MB
    policy = json.loads(base64.b64decode(upload_spec["fields"]["policy"]))
    assert ["content-length-range", 1, 200 * MB] in policy["conditions"]
    assert {"key": key} in policy["conditions"]
    assert {"acl": "public-read"} in policy["conditions"]

    stored = post_to_storage(upload_spec, data)
    assert stored.status_code in (200, 201, 204), stored.text
    assert not object_exists(s3_client, s3_storage, key + ".missing")

    response = owner_api.post(f"/v1/file-upload/{media.pk}/confirm")

    assert response.status_code == 200, response.content
    confirmed = response.json()
    assert confirmed["status"] == "ready"
    assert confirmed["size"] == len(data)
    assert confirmed["content_type"] == "video/mp4"
    assert confirmed["url"].endswith(key)
    media.refresh_from_db()
    assert media.status == MediaStatus.READY
    assert is_public_read(s3_client, s3_storage, key)
    assert requests.get(confirmed["url"], timeout=10).content == data

    # Confirming again changes nothing.
    again = owner_api.post(f"/v1/file-upload/{media.pk}/confirm")
    assert again.status_code == 200
    assert again.json() == confirmed


def test_confirm_of_a_non_video_object_deletes_it(owner_api, campaign, s3_client, s3_storage):
    body = presign(owner_api, campaign).json()
    key = body["upload"]["fields"]["key"]
    assert post_to_storage(body["upload"], b"MZ" + b"\x00" * 4000).ok
    assert object_exists(s3_client, s3_storage, key)

    response = owner_api.post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsupported_file_type"
    assert "file" in error["fields"]
    assert not object_exists(s3_client, s3_storage, key)
    assert not CampaignMedia.objects.filter(pk=body["id"]).exists()


def test_confirm_of_another_video_type_than_announced_deletes_it(
    owner_api, campaign, s3_client, s3_storage
):
    body = presign(owner_api, campaign, content_type="video/mp4").json()
    key = body["upload"]["fields"]["key"]
    assert post_to_storage(body["upload"], webm_bytes()).ok

    response = owner_api.post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == 400
    assert "WebM" in response.json()["error"]["message"]
    assert not object_exists(s3_client, s3_storage, key)
    assert not CampaignMedia.objects.filter(pk=body["id"]).exists()


def test_confirm_of_an_object_over_the_limit_deletes_it(
    owner_api, campaign, s3_client, s3_storage, settings
):
    settings.MEDIA_MAX_VIDEO_BYTES = 2_000
    body = presign(owner_api, campaign, size=1_500).json()
    key = body["upload"]["fields"]["key"]
    # The policy says 2,000 bytes at most; the confirm step checks it as well, whatever
    # the storage enforced.
    assert post_to_storage(body["upload"], mp4_bytes(payload=5_000)).ok

    response = owner_api.post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_too_large"
    assert not object_exists(s3_client, s3_storage, key)
    assert not CampaignMedia.objects.filter(pk=body["id"]).exists()


def test_confirm_before_the_upload_keeps_the_media_pending(owner_api, campaign):
    body = presign(owner_api, campaign).json()

    response = owner_api.post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upload_missing"
    assert CampaignMedia.objects.get(pk=body["id"]).status == MediaStatus.PENDING


def test_webm_direct_upload(owner_api, campaign, s3_client, s3_storage):
    data = webm_bytes(payload=2000)
    body = presign(owner_api, campaign, size=len(data), content_type="video/webm").json()
    assert body["upload"]["fields"]["key"].endswith(".webm")
    assert post_to_storage(body["upload"], data, "v.webm").ok

    response = owner_api.post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == 200, response.content
    assert response.json()["content_type"] == "video/webm"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "image"}, "kind"),
        ({"content_type": "video/quicktime"}, "content_type"),
        ({"size": 200 * MB + 1}, "size"),
        ({"size": 0}, "size"),
    ],
)
def test_presign_refuses_what_cannot_be_uploaded(owner_api, campaign, changes, field):
    arguments = {"size": 4096, "content_type": "video/mp4", "kind": "video", **changes}

    response = presign(owner_api, campaign, **arguments)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not CampaignMedia.objects.exists()


# --- Who may presign and confirm, and when --------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 201), ("other user", 404), ("staff", 404), ("anonymous", 401)],
)
def test_presign_permission_matrix(campaign, organiser, stranger, staff_member, who, expected):
    user = {"owner": organiser, "other user": stranger, "staff": staff_member}.get(who)

    response = presign(client_for(user), campaign)

    assert response.status_code == expected, response.content
    assert CampaignMedia.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("who", "expected"), [("other user", 404), ("staff", 404), ("anonymous", 401)]
)
def test_confirm_permission_matrix(
    owner_api, campaign, stranger, staff_member, s3_client, s3_storage, who, expected
):
    body = presign(owner_api, campaign).json()
    assert post_to_storage(body["upload"], mp4_bytes()).ok
    user = {"other user": stranger, "staff": staff_member}.get(who)

    response = client_for(user).post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == expected
    assert CampaignMedia.objects.get(pk=body["id"]).status == MediaStatus.PENDING
    assert object_exists(s3_client, s3_storage, body["upload"]["fields"]["key"])


@pytest.mark.parametrize("status", [CampaignStatus.ENDED, CampaignStatus.CLOSED])
def test_presign_and_confirm_follow_the_campaign_status(organiser, owner_api, status):
    closed = make_campaign(organiser, status=status)
    assert presign(owner_api, closed).status_code == 409

    campaign = make_campaign(organiser)
    body = presign(owner_api, campaign).json()
    assert post_to_storage(body["upload"], mp4_bytes()).ok
    campaign.status = status
    campaign.save(update_fields=["status"])

    response = owner_api.post(f"/v1/file-upload/{body['id']}/confirm")

    assert response.status_code == 409
    assert status in response.json()["error"]["message"]
    assert CampaignMedia.objects.get(pk=body["id"]).status == MediaStatus.PENDING
