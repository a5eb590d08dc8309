"""Media endpoints: upload, direct (presigned) upload and confirm, reorder/cover, delete.

Only a campaign's organiser may touch its media; anybody else, staff included, gets 404.
Every refused file is a 400 naming the `file` field (415 is kept for a request that is
not multipart at all).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from apps.core.parsers import JSONParser
from apps.core.serializers import StrictSerializer

from .media import (
    campaign_media_confirm,
    campaign_media_delete,
    campaign_media_presign,
    campaign_media_update,
    campaign_media_upload,
)
from .media_inspection import file_too_large, max_upload_bytes
from .models import CampaignMedia, MediaKind
from .storage import media_url

# Room for the multipart boundaries and the small fields beside the file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class CampaignMediaSerializer(serializers.ModelSerializer):
    """One media item as clients see it (also fit for a campaign's `media` list)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = CampaignMedia
        fields = [
            "id",
            "kind",
            "status",
            "url",
            "content_type",
            "size",
            "width",
            "height",
            "position",
            "is_cover",
        ]
        read_only_fields = fields

    def get_url(self, media: CampaignMedia) -> str:
        return media_url(media.file.name)


class UploadInput(StrictSerializer):
    file = serializers.FileField(allow_empty_file=False)
    campaign = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=MediaKind.choices)


class UpdateInput(StrictSerializer):
    position = serializers.IntegerField(min_value=0, required=False)
    is_cover = serializers.BooleanField(required=False)


class PresignInput(StrictSerializer):
    campaign = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=MediaKind.choices)
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=1)
    content_type = serializers.CharField(max_length=100)


class PresignUpload(serializers.Serializer):
    method = serializers.CharField()
    url = serializers.URLField()
    # A declared field named "fields": DRF's metaclass moves it off the class attributes.
    fields = serializers.DictField(child=serializers.CharField())  # type: ignore[assignment]
    max_bytes = serializers.IntegerField()
    expires_in = serializers.IntegerField()


class PresignOutput(CampaignMediaSerializer):
    upload = PresignUpload()

    class Meta(CampaignMediaSerializer.Meta):
        fields = [*CampaignMediaSerializer.Meta.fields, "upload"]
        read_only_fields = fields


class MediaUploadThrottle(UserRateThrottle):
    """Uploads and direct-upload requests per user (MEDIA_UPLOAD_THROTTLE): each one may
    make the server decode an image or store a file."""

    scope = "media_upload"

    def get_rate(self) -> str:
        return str(settings.MEDIA_UPLOAD_THROTTLE)


class _UploadSizeCap(FileUploadHandler):
    """Stops taking a multipart file once it passes the largest allowed size.

    It runs before Django's own handlers, so the excess is read off the socket and
    dropped instead of being buffered in memory or written to a temporary file.
    """

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


class MediaUploadView(APIView):
    """POST /v1/file-upload (multipart: file, campaign, kind)."""

    parser_classes = [MultiPartParser, FormParser]
    error_statuses = (404,)  # OpenAPI: `campaign` names no campaign of yours
    throttle_classes = [MediaUploadThrottle]

    # Only multipart is documented: a urlencoded form cannot carry the file, and a
    # generated client given two body types for one model builds a broken request (#14).
    @extend_schema(
        request={"multipart/form-data": UploadInput}, responses={201: CampaignMediaSerializer}
    )
    def post(self, request):
        limit = max_upload_bytes()
        try:
            declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared_length = 0
        if declared_length > limit + MULTIPART_OVERHEAD_BYTES:
            # Refused before a byte of the body is read.
            raise file_too_large(None, declared_length)
        cap = _UploadSizeCap(request._request, limit)
        request._request.upload_handlers.insert(0, cap)

        data = request.data  # parses the body, through the size cap
        if cap.exceeded:
            raise file_too_large(data.get("kind"))
        parsed = UploadInput(data=data)
        parsed.is_valid(raise_exception=True)
        media = campaign_media_upload(
            user=request.user,
            campaign_id=parsed.validated_data["campaign"],
            kind=parsed.validated_data["kind"],
            file=parsed.validated_data["file"],
        )
        return Response(CampaignMediaSerializer(media).data, status=status.HTTP_201_CREATED)


class MediaDetailView(APIView):
    """PATCH /v1/file-upload/<id> {position?, is_cover?}; DELETE /v1/file-upload/<id>."""

    parser_classes = [JSONParser]

    @extend_schema(request=UpdateInput, responses={200: CampaignMediaSerializer})
    def patch(self, request, media_id):
        parsed = UpdateInput(data=request.data)
        parsed.is_valid(raise_exception=True)
        media = campaign_media_update(user=request.user, media_id=media_id, **parsed.validated_data)
        return Response(CampaignMediaSerializer(media).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, media_id):
        campaign_media_delete(user=request.user, media_id=media_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MediaPresignView(APIView):
    """POST /v1/file-upload/presign: a presigned POST for a large video (S3 storage only)."""

    parser_classes = [JSONParser]
    error_statuses = (404,)  # OpenAPI: `campaign` names no campaign of yours
    throttle_classes = [MediaUploadThrottle]

    @extend_schema(request=PresignInput, responses={201: PresignOutput})
    def post(self, request):
        parsed = PresignInput(data=request.data)
        parsed.is_valid(raise_exception=True)
        values = parsed.validated_data
        media, upload = campaign_media_presign(
            user=request.user,
            campaign_id=values["campaign"],
            kind=values["kind"],
            filename=values["filename"],
            size=values["size"],
            content_type=values["content_type"],
        )
        body = {**CampaignMediaSerializer(media).data, "upload": upload}
        return Response(body, status=status.HTTP_201_CREATED)


class MediaConfirmView(APIView):
    """POST /v1/file-upload/<id>/confirm: check the stored object, make the media ready."""

    parser_classes = [JSONParser]

    @extend_schema(request=None, responses={200: CampaignMediaSerializer})
    def post(self, request, media_id):
        media = campaign_media_confirm(user=request.user, media_id=media_id)
        return Response(CampaignMediaSerializer(media).data)
