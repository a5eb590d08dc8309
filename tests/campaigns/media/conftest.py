import shutil
import socket
import uuid
from pathlib import Path

import boto3
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.campaigns.models import Campaign, CampaignStatus
from tests.factories import CampaignFactory, StaffFactory, UserFactory

S3_ACCESS_KEY = "testing"
S3_SECRET_KEY = "testing"
S3_REGION = "us-east-1"


@pytest.fixture(autouse=True)
def media_root(settings):
    """Local storage writes into a directory of this test under var/test-media, removed after."""
    root = Path(settings.BASE_DIR) / "var" / "test-media" / f"media-tests-{uuid.uuid4().hex}"
    settings.MEDIA_ROOT = root
    yield root
    shutil.rmtree(root, ignore_errors=True)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def make_campaign(organizer, status: str = CampaignStatus.DRAFT) -> Campaign:
    return CampaignFactory(
        organizer=organizer,
        title="Help Ada walk again",
        slug=f"help-ada-{uuid.uuid4().hex[:10]}",
        story="Ada needs surgery. " * 10,
        goal_amount=5_000_000,
        currency_id="NGN",
        category_id="medical",
        status=status,
    )


@pytest.fixture
def organiser(db):
    return UserFactory()


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def staff_member(db):
    return StaffFactory(is_superuser=True)


@pytest.fixture
def campaign(organiser):
    return make_campaign(organiser)


@pytest.fixture
def owner_api(organiser) -> APIClient:
    return client_for(organiser)


# --- A real S3-compatible server on loopback (moto's server mode) ---------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_server):
    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name=S3_REGION,
    )


@pytest.fixture
def s3_bucket(s3_client):
    name = f"krogiving-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    yield name
    objects = s3_client.list_objects_v2(Bucket=name).get("Contents", [])
    for item in objects:
        s3_client.delete_object(Bucket=name, Key=item["Key"])
    s3_client.delete_bucket(Bucket=name)


@pytest.fixture
def s3_storage(settings, s3_server, s3_bucket):
    """STORAGES["default"] as production configures it for Spaces, on the loopback server."""
    settings.SPACES_ACCESS_KEY_ID = S3_ACCESS_KEY
    settings.SPACES_SECRET_ACCESS_KEY = S3_SECRET_KEY
    settings.SPACES_REGION = S3_REGION
    settings.SPACES_BUCKET_NAME = s3_bucket
    settings.SPACES_ENDPOINT = s3_server
    settings.SPACES_BUCKET_URL = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "access_key": S3_ACCESS_KEY,
                "secret_key": S3_SECRET_KEY,
                "bucket_name": s3_bucket,
                "region_name": S3_REGION,
                "endpoint_url": s3_server,
                "default_acl": "public-read",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    return s3_bucket


def object_exists(client, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
            return False
        raise
    return True
