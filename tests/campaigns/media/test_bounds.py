"""Resource exhaustion through media: image bombs (memory measured in a subprocess),
uploads per user, media per campaign, and files that only start like an MP4."""

import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.campaigns.media_inspection import VIDEO_MP4, video_prepare, video_sniff
from apps.campaigns.models import CampaignMedia
from apps.core.errors import InvalidInput

from .files import jpeg_with_gps, mp4_boxes, mp4_bytes, png_of_size
from .test_upload import assert_refused, files_under, post

ROOT = Path(__file__).resolve().parents[3]
MB = 1024 * 1024

# Decodes one file with the upload's own code, in a fresh interpreter, and reports how
# far the process' peak resident memory rose while it did (ru_maxrss is in KB on Linux).
# Pillow allocates in C, which tracemalloc cannot see: the process' own peak can.
_DECODE = textwrap.dedent(
    """
    import json, os, resource, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "krogiving.settings"
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from apps.campaigns.media_inspection import image_prepare
    upload = SimpleUploadedFile("photo.png", open(sys.argv[1], "rb").read())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        prepared = image_prepare(upload)
        outcome = ["ok", prepared.width, prepared.height]
    except Exception as exc:
        outcome = [getattr(exc, "code", repr(exc))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "rise_kb": peak - before}))
    """
)


def decode_in_subprocess(tmp_path, data: bytes, **env: str) -> tuple[list, int]:
    path = tmp_path / "image.png"
    path.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", _DECODE, str(path)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["outcome"], report["rise_kb"] * 1024


def test_a_7000_by_7000_png_bomb_is_refused_without_decoding_it(tmp_path):
    data = png_of_size(7000, 7000)
    assert len(data) < 300 * 1024  # tiny on the wire: 49 MP, 196 MB once decoded

    outcome, rise = decode_in_subprocess(tmp_path, data)

    assert outcome == ["image_too_large"]
    assert rise < 20 * MB, f"decoding rose the peak by {rise / MB:.0f} MB"


def test_the_largest_accepted_image_decodes_within_a_bound(tmp_path):
    # 25 MP, the cap: its pixels take 100 MB (RGB is 4 bytes a pixel in Pillow), and the
    # LANCZOS resize to 2560 px adds its half-way and final buffers (about 60 MB more).
    outcome, rise = decode_in_subprocess(tmp_path, png_of_size(5000, 5000))

    assert outcome == ["ok", 2560, 2560]
    assert rise < 200 * MB, f"decoding rose the peak by {rise / MB:.0f} MB"


def test_an_image_over_the_decode_budget_is_refused(owner_api, campaign, settings, media_root):
    settings.MEDIA_MAX_DECODE_BYTES = 100 * 100 * 4 - 1

    response = post(owner_api, campaign, png_of_size(100, 100))

    assert_refused(response, "image_too_large")
    assert files_under(media_root) == []


def test_a_jpeg_is_judged_at_the_scale_it_is_decoded_at(owner_api, campaign, settings):
    # 1200x800 at full size takes 3.8 MB; shown at most 300 px wide it decodes at 1/4.
    settings.MEDIA_MAX_IMAGE_SIDE = 300
    settings.MEDIA_MAX_DECODE_BYTES = 1_000_000

    response = post(owner_api, campaign, jpeg_with_gps(1200, 800), name="photo.jpg")

    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (300, 200)


# --- Uploads per user, media per campaign ---------------------------------------------


def test_uploads_are_throttled_per_user(owner_api, campaign, organiser, settings):
    settings.MEDIA_UPLOAD_THROTTLE = "3/hour"
    for _ in range(3):
        assert post(owner_api, campaign, png_of_size(8, 8)).status_code == 201

    refused = post(owner_api, campaign, png_of_size(8, 8))

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert CampaignMedia.objects.filter(campaign=campaign).count() == 3
    presign = owner_api.post(
        "/v1/file-upload/presign",
        {
            "campaign": str(campaign.id),
            "kind": "video",
            "filename": "a.mp4",
            "size": 10,
            "content_type": "video/mp4",
        },
        format="json",
    )
    assert presign.status_code == 429


def test_a_campaign_holds_at_most_the_configured_media(owner_api, campaign, settings):
    settings.MEDIA_MAX_PER_CAMPAIGN = 2
    for _ in range(2):
        assert post(owner_api, campaign, png_of_size(8, 8)).status_code == 201

    refused = post(owner_api, campaign, png_of_size(8, 8))

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_media"
    assert CampaignMedia.objects.filter(campaign=campaign).count() == 2
    # Deleting one makes room again.
    media_id = CampaignMedia.objects.filter(campaign=campaign).first().id
    assert owner_api.delete(f"/v1/file-upload/{media_id}").status_code == 204
    assert post(owner_api, campaign, png_of_size(8, 8)).status_code == 201


# --- MP4 structure ----------------------------------------------------------------------

FTYP = struct.pack(">I", 24) + b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2"
HTML = b"<html><script>alert(document.cookie)</script></html>" * 10


@pytest.mark.parametrize(
    "data",
    [
        FTYP + HTML,  # an ftyp box, then anything
        FTYP + struct.pack(">I", 8) + b"free" + HTML,  # no box where the junk starts
        FTYP + struct.pack(">I", 10_000) + b"mdat" + b"\x00" * 100,  # claims more than sent
        FTYP + struct.pack(">I", 4) + b"mdat" + b"\x00" * 100,  # a size under a header
        mp4_boxes((b"free", 64), (b"skip", 64)),  # well formed, but no movie in it
        mp4_bytes() + b"junk",  # trailing bytes after the last box
    ],
    ids=lambda data: f"{len(data)}-bytes",
)
def test_a_file_that_only_starts_like_an_mp4_is_refused(owner_api, campaign, data, media_root):
    response = post(owner_api, campaign, data, name="clip.mp4", kind="video")

    assert_refused(response, "unsupported_file_type")
    assert files_under(media_root) == []


def test_a_file_of_countless_empty_boxes_is_refused():
    # Walking 5,000 boxes would take 5,000 reads: past MAX_MP4_TOP_BOXES it is refused.
    data = FTYP + (struct.pack(">I", 8) + b"free") * 5000 + struct.pack(">I", 8) + b"mdat"

    with pytest.raises(InvalidInput) as refused:
        video_prepare(SimpleUploadedFile("clip.mp4", data))

    assert refused.value.code == "unsupported_file_type"


@pytest.mark.parametrize(
    "data",
    [
        mp4_bytes(),
        mp4_boxes((b"moov", 100), (b"mdat", 5000)),
        mp4_boxes((b"free", 16), (b"mdat", 0)),
        FTYP + struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + 300) + b"\x00" * 300,
        FTYP + struct.pack(">I", 0) + b"mdat" + b"\x00" * 300,  # runs to the end of the file
    ],
    ids=lambda data: f"{len(data)}-bytes",
)
def test_well_formed_mp4_files_are_accepted(owner_api, campaign, data):
    response = post(owner_api, campaign, data, name="clip.mp4", kind="video")

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == VIDEO_MP4


def test_a_direct_upload_is_judged_on_its_head_and_size():
    # Only the first 4 KB of a stored object are read: a movie box past them is unseen,
    # but every size seen must fit the object's size.
    data = mp4_boxes((b"free", 8000), (b"mdat", 100))
    assert video_sniff(data[:4096], len(data)) == VIDEO_MP4
    with pytest.raises(InvalidInput) as refused:
        video_sniff(data[:4096], 5000)
    assert refused.value.code == "unsupported_file_type"
