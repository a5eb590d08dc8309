from django.urls import path

from . import api

urlpatterns = [
    path("cms/<str:collection>", api.CmsCollectionView.as_view(), name="cms-collection"),
    path("cms/<str:collection>/<str:key>", api.CmsEntryView.as_view(), name="cms-entry"),
]
