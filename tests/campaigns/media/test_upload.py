"""POST /v1/file-upload on local storage: real files, validation, permissions, statuses."""

import io
import threading
from datetime import date

import pytest
from django.db import connection
from PIL import Image

from apps.campaigns.models import CampaignMedia, CampaignStatus
from tests.factories import UserFactory

from .conftest import client_for, make_campaign
from .files import (
    GPS_IFD,
    LINUX_ELF,
    ORIENTATION,
    WINDOWS_EXE,
    jpeg_with_gps,
    mp4_bytes,
    png_bytes,
    png_claiming_size,
    truncated_png,
    upload,
    webm_bytes,
    webp_bytes,
    with_gps,
)

URL = "/v1/file-upload"


def post(client, campaign, data: bytes, *, name="photo.png", kind="image", declared="image/png"):
    return client.post(
        URL,
        {"file": upload(name, data, declared), "campaign": str(campaign.id), "kind": kind},
        format="multipart",
    )


def stored_path(media_root, media: CampaignMedia):
    return media_root / media.file.name


def files_under(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def assert_refused(response, code: str):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert "file" in error["fields"]
    assert error["message"].startswith("file: ")
    return error


# --- Accepted files -------------------------------------------------------------------


def test_png_upload_is_stored_and_described(owner_api, campaign, media_root):
    response = post(owner_api, campaign, png_bytes(64, 48))

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {
        "id",
        "kind",
        "url",
        "content_type",
        "size",
        "width",
        "height",
        "position",
        "is_cover",
    }
    assert body["kind"] == "image"
    assert body["status"] == "ready"
    assert body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (64, 48)
    assert body["position"] == 0
    assert body["is_cover"] is True

    media = CampaignMedia.objects.get(pk=body["id"])
    today = date.today()
    assert media.file.name.startswith(f"campaigns/{today:%Y}/{today:%m}/")
    assert media.file.name.endswith(".png")
    assert body["url"] == f"http://127.0.0.1:8000/media/{media.file.name}"
    path = stored_path(media_root, media)
    assert path.stat().st_size == body["size"] == media.size
    with Image.open(path) as stored:
        assert stored.format == "PNG"
        assert stored.size == (64, 48)


def test_first_image_is_cover_later_media_follow_in_order(owner_api, campaign):
    first = post(owner_api, campaign, png_bytes()).json()
    video = post(owner_api, campaign, mp4_bytes(), name="clip.mp4", kind="video").json()
    second = post(owner_api, campaign, png_bytes()).json()

    assert [first["position"], video["position"], second["position"]] == [0, 1, 2]
    assert [first["is_cover"], video["is_cover"], second["is_cover"]] == [True, False, False]


def test_video_first_does_not_take_the_cover_from_the_first_image(owner_api, campaign):
    video = post(owner_api, campaign, mp4_bytes(), name="clip.mp4", kind="video").json()
    image = post(owner_api, campaign, png_bytes()).json()

    assert video["is_cover"] is False
    assert image["is_cover"] is True


def test_png_named_jpg_is_stored_as_png(owner_api, campaign, media_root):
    response = post(owner_api, campaign, png_bytes(), name="holiday.jpg", declared="image/jpeg")

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    media = CampaignMedia.objects.get(pk=response.json()["id"])
    assert media.file.name.endswith(".png")
    with Image.open(stored_path(media_root, media)) as stored:
        assert stored.format == "PNG"


def test_webp_is_accepted_and_stays_webp(owner_api, campaign, media_root):
    response = post(owner_api, campaign, webp_bytes(), name="x.webp", declared="image/webp")

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/webp"
    media = CampaignMedia.objects.get(pk=response.json()["id"])
    with Image.open(stored_path(media_root, media)) as stored:
        assert stored.format == "WEBP"
        assert stored.mode == "RGBA"


def test_jpeg_loses_gps_exif_and_comment_but_keeps_its_orientation(owner_api, campaign, media_root):
    original = jpeg_with_gps(60, 40, orientation=6)  # 6: rotate 90 degrees to display
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test file really carries a position

    response = post(owner_api, campaign, original, name="IMG_0001.JPG", declared="image/jpeg")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (40, 60)  # rotated as a viewer shows it
    media = CampaignMedia.objects.get(pk=body["id"])
    assert media.file.name.endswith(".jpg")
    raw = stored_path(media_root, media).read_bytes()
    assert b"Exif" not in raw
    assert b"taken at home" not in raw
    with Image.open(io.BytesIO(raw)) as stored:
        assert stored.format == "JPEG"
        exif = stored.getexif()
        assert GPS_IFD not in exif
        assert not exif.get_ifd(GPS_IFD)
        assert ORIENTATION not in exif
        assert "exif" not in stored.info
        assert stored.size == (40, 60)
        # The bright left edge of the sensor image is now the top row.
        assert stored.convert("RGB").getpixel((20, 1))[0] > 200


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_exif(owner_api, campaign, media_root, image_format):
    original = with_gps(image_format)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)

    response = post(owner_api, campaign, original, name="x.img")

    assert response.status_code == 201, response.content
    media = CampaignMedia.objects.get(pk=response.json()["id"])
    with Image.open(stored_path(media_root, media)) as stored:
        assert stored.format == image_format
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert "exif" not in stored.info


def test_large_image_is_scaled_down_to_the_side_cap(owner_api, campaign, media_root):
    response = post(owner_api, campaign, png_bytes(2600, 100))

    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (2560, 98)
    media = CampaignMedia.objects.get(pk=response.json()["id"])
    with Image.open(stored_path(media_root, media)) as stored:
        assert stored.size == (2560, 98)


def test_side_cap_follows_the_setting(owner_api, campaign, settings):
    settings.MEDIA_MAX_IMAGE_SIDE = 100

    response = post(
        owner_api, campaign, jpeg_with_gps(300, 150), name="a.jpg", declared="image/jpeg"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (100, 50)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (mp4_bytes(), "clip.mp4", "video/mp4"),
        (mp4_bytes(brand=b"mp42"), "clip.png", "image/png"),  # the name and type are ignored
        (webm_bytes(), "clip.webm", "video/webm"),
    ],
)
def test_video_is_recognised_by_its_magic_bytes(
    owner_api, campaign, media_root, data, name, content_type
):
    expected = "video/webm" if data.startswith(b"\x1a\x45\xdf\xa3") else "video/mp4"

    response = post(owner_api, campaign, data, name=name, kind="video", declared=content_type)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "video"
    assert body["content_type"] == expected
    assert body["size"] == len(data)
    assert body["width"] is None
    assert body["is_cover"] is False
    media = CampaignMedia.objects.get(pk=body["id"])
    assert media.file.name.endswith("." + expected.split("/")[1])
    assert stored_path(media_root, media).read_bytes() == data


# --- Refused files --------------------------------------------------------------------


def test_truncated_png_is_refused_and_nothing_is_stored(owner_api, campaign, media_root):
    response = post(owner_api, campaign, truncated_png())

    error = assert_refused(response, "invalid_image")
    assert "truncated" in error["message"]
    assert not CampaignMedia.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("data", [WINDOWS_EXE, LINUX_ELF], ids=["exe", "elf"])
@pytest.mark.parametrize("kind", ["image", "video"])
def test_executable_renamed_jpg_is_refused(owner_api, campaign, media_root, data, kind):
    response = post(
        owner_api, campaign, data, name="cute-cat.jpg", kind=kind, declared="image/jpeg"
    )

    error = assert_refused(response, "unsupported_file_type")
    assert ("JPEG, PNG or WebP" if kind == "image" else "MP4 or WebM") in error["message"]
    assert not CampaignMedia.objects.exists()
    assert files_under(media_root) == []


def test_video_sent_as_image_is_refused(owner_api, campaign):
    response = post(owner_api, campaign, mp4_bytes(), name="clip.mp4", kind="image")

    assert_refused(response, "unsupported_file_type")


def test_image_sent_as_video_is_refused(owner_api, campaign):
    response = post(owner_api, campaign, png_bytes(), kind="video", declared="video/mp4")

    assert_refused(response, "unsupported_file_type")


@pytest.mark.parametrize(
    "data",
    [
        webm_bytes(doctype=b"matroska"),
        mp4_bytes(brand=b"heic"),
        mp4_bytes(brand=b"qt  "),
        b"\x00\x00\x00\x18ftyp",  # a box header and nothing else
    ],
    ids=["matroska", "heic-image", "quicktime", "too-short"],
)
def test_other_containers_are_refused_as_video(owner_api, campaign, data):
    response = post(owner_api, campaign, data, name="clip.mp4", kind="video")

    assert_refused(response, "unsupported_file_type")


def test_image_over_the_size_limit_is_refused(owner_api, campaign, settings, media_root):
    settings.MEDIA_MAX_IMAGE_BYTES = 2_000
    data = png_bytes(80, 80, noise=True)
    assert len(data) > 2_000

    response = post(owner_api, campaign, data)

    error = assert_refused(response, "file_too_large")
    assert "at most 2 KB" in error["message"]
    assert files_under(media_root) == []


def test_video_over_the_size_limit_is_refused(owner_api, campaign, settings):
    settings.MEDIA_MAX_VIDEO_BYTES = 1_000

    response = post(owner_api, campaign, mp4_bytes(payload=2_000), name="v.mp4", kind="video")

    error = assert_refused(response, "file_too_large")
    assert "Videos may be at most 1000 bytes" in error["message"]


def test_file_over_every_limit_is_cut_off_while_the_body_is_read(owner_api, campaign, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = 2_000
    settings.MEDIA_MAX_VIDEO_BYTES = 2_000

    # 10 KB: the request is within limit + multipart overhead, so the body is parsed and
    # the size cap drops the file part once it passes 2,000 bytes.
    response = post(owner_api, campaign, b"\x00" * 10_000)

    error = assert_refused(response, "file_too_large")
    assert "Images may be at most 2 KB" in error["message"]
    assert not CampaignMedia.objects.exists()


def test_request_body_over_every_limit_is_refused_before_it_is_read(owner_api, campaign, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = 2_000
    settings.MEDIA_MAX_VIDEO_BYTES = 2_000

    response = post(owner_api, campaign, b"\x00" * 200_000)

    assert_refused(response, "file_too_large")
    assert not CampaignMedia.objects.exists()


def test_image_with_a_pixel_bomb_header_is_refused(owner_api, campaign, media_root):
    # 100,000 x 100,000 pixels announced in a file of a few dozen bytes.
    response = post(owner_api, campaign, png_claiming_size(100_000, 100_000))

    error = assert_refused(response, "image_too_large")
    assert "pixels" in error["message"]
    assert files_under(media_root) == []


def test_image_over_the_pixel_cap_is_refused_before_decoding(owner_api, campaign, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 10_000

    response = post(owner_api, campaign, png_bytes(200, 100))

    error = assert_refused(response, "image_too_large")
    assert "200x100" in error["message"]
    assert "10,000" in error["message"]


def test_empty_file_is_refused(owner_api, campaign):
    response = post(owner_api, campaign, b"")

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_missing_file_and_bad_fields_are_named(owner_api, campaign):
    response = owner_api.post(
        URL, {"campaign": "not-a-uuid", "kind": "audio", "extra": "1"}, format="multipart"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"extra"}

    response = owner_api.post(URL, {"campaign": "not-a-uuid", "kind": "audio"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"file", "campaign", "kind"}


def test_json_body_is_not_accepted(owner_api, campaign):
    response = owner_api.post(URL, {"campaign": str(campaign.id), "kind": "image"}, format="json")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


# --- Who may upload, and when ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 201), ("other user", 404), ("staff", 404), ("anonymous", 401)],
)
def test_upload_permission_matrix(
    campaign, organiser, stranger, staff_member, media_root, who, expected
):
    user = {"owner": organiser, "other user": stranger, "staff": staff_member}.get(who)

    response = post(client_for(user), campaign, png_bytes())

    assert response.status_code == expected, response.content
    assert CampaignMedia.objects.count() == (1 if expected == 201 else 0)
    if expected != 201:
        assert files_under(media_root) == []


def test_unknown_campaign_is_404_naming_it(owner_api):
    class Missing:
        id = "00000000-0000-0000-0000-000000000000"

    response = post(owner_api, Missing, png_bytes())

    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"campaign": ["No campaign with this id."]}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CampaignStatus.DRAFT, 201),
        (CampaignStatus.REJECTED, 201),
        (CampaignStatus.ACTIVE, 201),
        (CampaignStatus.PENDING_REVIEW, 409),
        (CampaignStatus.SUSPENDED, 409),
        (CampaignStatus.ENDED, 409),
        (CampaignStatus.CLOSED, 409),
    ],
)
def test_upload_follows_the_campaign_status(organiser, owner_api, media_root, status, expected):
    campaign = make_campaign(organiser, status=status)

    response = post(owner_api, campaign, png_bytes())

    assert response.status_code == expected, response.content
    if expected == 409:
        assert status in response.json()["error"]["message"]
        assert files_under(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_images_make_exactly_one_cover(media_root):
    organiser = UserFactory()
    campaign = make_campaign(organiser)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def send():
        try:
            client = client_for(organiser)
            barrier.wait()
            statuses.append(post(client, campaign, png_bytes()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 4
    media = list(CampaignMedia.objects.filter(campaign=campaign))
    assert sum(item.is_cover for item in media) == 1
    assert sorted(item.position for item in media) == [0, 1, 2, 3]
