from django.urls import path

from . import media_api

urlpatterns = [
    path("file-upload", media_api.MediaUploadView.as_view(), name="media-upload"),
    path("file-upload/presign", media_api.MediaPresignView.as_view(), name="media-presign"),
    path("file-upload/<uuid:media_id>", media_api.MediaDetailView.as_view(), name="media-detail"),
    path(
        "file-upload/<uuid:media_id>/confirm",
        media_api.MediaConfirmView.as_view(),
        name="media-confirm",
    ),
]
