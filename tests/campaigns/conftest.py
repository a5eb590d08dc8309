import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.users.tokens import tokens_for
from tests.factories import CampaignFactory, StaffFactory, UserFactory

from .factories import ImageFactory


def client_for(user=None, *, second_factor: bool = False) -> APIClient:
    """An API client with a real access token for `user` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        access = (
            tokens_for(user, second_factor=True)["access"]
            if second_factor
            else str(RefreshToken.for_user(user).access_token)
        )
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def grant(user, *codenames: str):
    for codename in codenames:
        app_label, name = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=name)
        )
    # has_perm caches per instance: hand back a fresh one
    return type(user).objects.get(pk=user.pk)


def _mine(request) -> bool:
    """The media tests below this directory keep their own set-up."""
    return "media" not in request.node.path.relative_to(request.config.rootpath).parts[:3]


@pytest.fixture(autouse=True)
def _media_root(request):
    """Images written by these tests go to a temporary directory."""
    if _mine(request):
        settings = request.getfixturevalue("settings")
        settings.MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"


@pytest.fixture
def organizer(db):
    return UserFactory(first_name="Chiamaka", last_name="Obi", phone="+2348031230001")


@pytest.fixture
def other_user(db):
    return UserFactory(first_name="Tunde", last_name="Bello")


@pytest.fixture
def reviewer(db):
    """Staff who may review (approve, reject) and change (suspend) campaigns."""
    staff = StaffFactory(email="reviewer@krogiving.test", first_name="Rita", last_name="View")
    return grant(staff, "campaigns.review_campaign", "campaigns.change_campaign")


@pytest.fixture
def plain_staff(db):
    """Staff without any campaign permission."""
    return StaffFactory(email="plainstaff@krogiving.test")


@pytest.fixture
def owner_api(organizer):
    return client_for(organizer)


@pytest.fixture
def other_api(other_user):
    return client_for(other_user)


@pytest.fixture
def staff_api(reviewer):
    """The reviewer signed in through the staff sign-in (password and TOTP)."""
    return client_for(reviewer, second_factor=True)


@pytest.fixture
def anon_api():
    return client_for(None)


@pytest.fixture
def draft(organizer):
    """A complete draft (long story, a ready image) of `organizer`, ready to submit."""
    campaign = CampaignFactory(organizer=organizer, title="Help Ada walk again")
    ImageFactory(campaign=campaign, is_cover=True)
    return campaign


@pytest.fixture
def active(organizer):
    campaign = CampaignFactory(
        organizer=organizer, title="Rebuild the Ajegunle school", status="active"
    )
    ImageFactory(campaign=campaign, is_cover=True)
    return campaign
