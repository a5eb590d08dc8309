"""DELETE and PATCH /v1/file-upload/<id>, and direct uploads without S3, on local storage."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.campaigns.media import campaign_media_expire_pending, media_ready
from apps.campaigns.models import CampaignMedia, CampaignStatus, MediaKind, MediaStatus

from .conftest import client_for
from .files import mp4_bytes, png_bytes, upload


def add_media(client, campaign, *, kind="image"):
    data = png_bytes() if kind == "image" else mp4_bytes()
    response = client.post(
        "/v1/file-upload",
        {"file": upload(f"f.{kind}", data), "campaign": str(campaign.id), "kind": kind},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return CampaignMedia.objects.get(pk=response.json()["id"])


def detail_url(media) -> str:
    return f"/v1/file-upload/{media.pk}"


def set_status(campaign, status):
    campaign.status = status
    campaign.save(update_fields=["status"])


def state(campaign) -> list[tuple[str, int, bool]]:
    return [
        (str(item.pk), item.position, item.is_cover)
        for item in CampaignMedia.objects.filter(campaign=campaign).order_by("position")
    ]


# --- DELETE ---------------------------------------------------------------------------


def test_owner_deletes_media_and_its_file(
    owner_api, campaign, media_root, django_capture_on_commit_callbacks
):
    media = add_media(owner_api, campaign)
    path = media_root / media.file.name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.delete(detail_url(media))

    assert response.status_code == 204
    assert not CampaignMedia.objects.filter(pk=media.pk).exists()
    assert not path.exists()


def test_deleting_the_cover_makes_the_next_image_the_cover(
    owner_api, campaign, django_capture_on_commit_callbacks
):
    cover = add_media(owner_api, campaign)
    add_media(owner_api, campaign, kind="video")
    second_image = add_media(owner_api, campaign)

    with django_capture_on_commit_callbacks(execute=True):
        assert owner_api.delete(detail_url(cover)).status_code == 204

    second_image.refresh_from_db()
    assert second_image.is_cover is True
    assert CampaignMedia.objects.filter(is_cover=True).count() == 1


@pytest.mark.parametrize(
    ("who", "expected"), [("other user", 404), ("staff", 404), ("anonymous", 401)]
)
def test_only_the_owner_may_delete(
    owner_api, campaign, stranger, staff_member, media_root, who, expected
):
    media = add_media(owner_api, campaign)
    user = {"other user": stranger, "staff": staff_member}.get(who)

    response = client_for(user).delete(detail_url(media))

    assert response.status_code == expected
    assert CampaignMedia.objects.filter(pk=media.pk).exists()
    assert (media_root / media.file.name).exists()


@pytest.mark.parametrize(
    "status",
    [
        CampaignStatus.ENDED,
        CampaignStatus.CLOSED,
        CampaignStatus.PENDING_REVIEW,
        CampaignStatus.SUSPENDED,
    ],
)
def test_delete_is_refused_when_the_status_forbids_media_edits(
    owner_api, campaign, media_root, status
):
    media = add_media(owner_api, campaign)
    set_status(campaign, status)

    response = owner_api.delete(detail_url(media))

    assert response.status_code == 409
    assert status in response.json()["error"]["message"]
    assert (media_root / media.file.name).exists()


def test_delete_is_allowed_on_an_active_campaign(
    owner_api, campaign, django_capture_on_commit_callbacks
):
    media = add_media(owner_api, campaign)
    set_status(campaign, CampaignStatus.ACTIVE)

    with django_capture_on_commit_callbacks(execute=True):
        assert owner_api.delete(detail_url(media)).status_code == 204


def test_delete_unknown_media_is_404(owner_api):
    response = owner_api.delete("/v1/file-upload/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- PATCH ----------------------------------------------------------------------------


def test_move_media_to_a_position_renumbers_the_rest(owner_api, campaign):
    first, second, third = (add_media(owner_api, campaign) for _ in range(3))

    response = owner_api.patch(detail_url(third), {"position": 0}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["position"] == 0
    assert state(campaign) == [
        (str(third.pk), 0, False),
        (str(first.pk), 1, True),
        (str(second.pk), 2, False),
    ]

    # A position past the end moves it last.
    owner_api.patch(detail_url(third), {"position": 99}, format="json")
    assert [row[0] for row in state(campaign)] == [str(first.pk), str(second.pk), str(third.pk)]


def test_choose_another_cover(owner_api, campaign):
    first = add_media(owner_api, campaign)
    second = add_media(owner_api, campaign)

    response = owner_api.patch(detail_url(second), {"is_cover": True}, format="json")

    assert response.status_code == 200
    assert response.json()["is_cover"] is True
    first.refresh_from_db()
    assert first.is_cover is False
    assert CampaignMedia.objects.filter(campaign=campaign, is_cover=True).get() == second


def test_cover_and_position_in_one_request(owner_api, campaign):
    first = add_media(owner_api, campaign)
    second = add_media(owner_api, campaign)

    response = owner_api.patch(detail_url(second), {"is_cover": True, "position": 0}, format="json")

    assert response.status_code == 200
    assert state(campaign) == [(str(second.pk), 0, True), (str(first.pk), 1, False)]


def test_a_video_cannot_be_the_cover(owner_api, campaign):
    add_media(owner_api, campaign)
    video = add_media(owner_api, campaign, kind="video")

    response = owner_api.patch(detail_url(video), {"is_cover": True}, format="json")

    assert response.status_code == 400
    assert "is_cover" in response.json()["error"]["fields"]


def test_the_cover_cannot_be_unset_without_choosing_another(owner_api, campaign):
    cover = add_media(owner_api, campaign)
    other = add_media(owner_api, campaign)

    assert owner_api.patch(detail_url(cover), {"is_cover": False}, format="json").status_code == 400
    # Saying "not the cover" of media that is not the cover changes nothing.
    assert owner_api.patch(detail_url(other), {"is_cover": False}, format="json").status_code == 200
    cover.refresh_from_db()
    assert cover.is_cover is True


@pytest.mark.parametrize(
    "payload",
    [{"position": -1}, {"position": "first"}, {"is_cover": "maybe"}, {"kind": "video"}],
)
def test_patch_refuses_bad_and_unknown_fields(owner_api, campaign, payload):
    media = add_media(owner_api, campaign)

    response = owner_api.patch(detail_url(media), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(payload)


@pytest.mark.parametrize(
    ("who", "expected"), [("other user", 404), ("staff", 404), ("anonymous", 401)]
)
def test_only_the_owner_may_patch(owner_api, campaign, stranger, staff_member, who, expected):
    add_media(owner_api, campaign)
    media = add_media(owner_api, campaign)
    user = {"other user": stranger, "staff": staff_member}.get(who)

    response = client_for(user).patch(detail_url(media), {"is_cover": True}, format="json")

    assert response.status_code == expected
    media.refresh_from_db()
    assert media.is_cover is False


@pytest.mark.parametrize("status", [CampaignStatus.ENDED, CampaignStatus.CLOSED])
def test_patch_is_refused_when_the_status_forbids_media_edits(owner_api, campaign, status):
    add_media(owner_api, campaign)
    media = add_media(owner_api, campaign)
    set_status(campaign, status)

    response = owner_api.patch(detail_url(media), {"position": 0}, format="json")

    assert response.status_code == 409
    media.refresh_from_db()
    assert media.position == 1


# --- Direct uploads need S3 -----------------------------------------------------------


def test_presign_without_s3_storage_is_409(owner_api, campaign):
    response = owner_api.post(
        "/v1/file-upload/presign",
        {
            "campaign": str(campaign.id),
            "kind": "video",
            "filename": "big.mp4",
            "size": 150 * 1024 * 1024,
            "content_type": "video/mp4",
        },
        format="json",
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "direct_upload_unavailable"
    assert "S3 storage" in error["message"]
    assert not CampaignMedia.objects.exists()


def pending_video(campaign, *, age: timedelta = timedelta(0)) -> CampaignMedia:
    media = CampaignMedia.objects.create(
        campaign=campaign,
        kind=MediaKind.VIDEO,
        status=MediaStatus.PENDING,
        file="campaigns/2025/01/pending.mp4",
        content_type="video/mp4",
        size=1000,
        position=5,
    )
    if age:
        CampaignMedia.objects.filter(pk=media.pk).update(created_at=timezone.now() - age)
    return media


def test_confirm_without_s3_storage_is_409(owner_api, campaign):
    media = pending_video(campaign)

    response = owner_api.post(f"/v1/file-upload/{media.pk}/confirm")

    assert response.status_code == 409
    media.refresh_from_db()
    assert media.status == MediaStatus.PENDING


def test_pending_media_is_not_public_and_cannot_be_patched(owner_api, campaign):
    ready = add_media(owner_api, campaign)
    pending = pending_video(campaign)

    assert list(media_ready().filter(campaign=campaign)) == [ready]
    response = owner_api.patch(detail_url(pending), {"position": 0}, format="json")
    assert response.status_code == 409


def test_stale_pending_uploads_are_expired(campaign, django_capture_on_commit_callbacks):
    fresh = pending_video(campaign)
    stale = pending_video(campaign, age=timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        removed = campaign_media_expire_pending(older_than=timedelta(hours=2))

    assert removed == 1
    assert CampaignMedia.objects.filter(pk=fresh.pk).exists()
    assert not CampaignMedia.objects.filter(pk=stale.pk).exists()
