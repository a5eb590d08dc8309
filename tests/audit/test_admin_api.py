import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from apps.audit.models import AdminLog
from apps.audit.services import audit_log
from apps.users.tokens import tokens_for
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/v1/admin/logs"


def client_for(user, *, second_factor: bool = True) -> APIClient:
    client = APIClient()
    token = tokens_for(user, second_factor=second_factor)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def auditor(db):
    member = StaffFactory(email="auditor@krogiving.test")
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_adminlog")
    )
    return member


@pytest.fixture
def staff_api(auditor) -> APIClient:
    return client_for(auditor)


class TestWhoMayRead:
    def test_anonymous_is_401(self, api, chain):
        response = api.get(URL)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_an_ordinary_users_token_is_403(self, auth_api, chain):
        assert auth_api.get(URL).status_code == 403

    def test_staff_signed_in_without_the_second_factor_is_403(self, api, auditor, chain):
        tokens = api.post(
            "/v1/users/login", {"email": auditor.email, "password": DEFAULT_PASSWORD}, format="json"
        ).json()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert api.get(URL).status_code == 403

    def test_staff_with_the_second_factor_but_without_the_permission_is_403(self, chain):
        other = StaffFactory(email="support@krogiving.test")
        other.user_permissions.add(Permission.objects.get(codename="view_user"))
        response = client_for(other).get(URL)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"

    def test_a_non_staff_user_with_the_permission_is_403(self, chain):
        outsider = UserFactory()
        outsider.user_permissions.add(Permission.objects.get(codename="view_adminlog"))
        assert client_for(outsider).get(URL).status_code == 403

    def test_staff_with_the_permission_and_second_factor_reads(self, staff_api, chain):
        assert staff_api.get(URL).status_code == 200

    def test_a_superuser_reads(self, chain):
        root = UserFactory(email="root@krogiving.test", is_staff=True, is_superuser=True)
        assert client_for(root).get(URL).status_code == 200

    def test_it_is_read_only(self, staff_api, chain):
        assert staff_api.post(URL, {}, format="json").status_code == 405
        assert staff_api.delete(URL).status_code == 405
        assert AdminLog.objects.count() == 5


def test_lists_newest_first_with_every_field(staff_api, chain, actor):
    body = staff_api.get(URL).json()
    assert body["count"] == 5
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["sequence"] for row in body["results"]] == [5, 4, 3, 2, 1]
    first = body["results"][-1]
    assert first == {
        "id": str(chain[0].id),
        "sequence": 1,
        "created_at": first["created_at"],
        "actor": {"id": str(actor.id), "email": "approver@krogiving.test"},
        "action": "campaign.approve",
        "target_type": "campaign",
        "target_id": "c-1",
        "before": {"status": "pending_review"},
        "after": {"status": "active"},
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (staff console)",
        "prev_hash": "0" * 64,
        "hash": chain[0].hash,
    }
    assert body["results"][2]["actor"] is None  # the system's entry


def test_pages(staff_api, chain):
    page_one = staff_api.get(URL, {"page_size": 2}).json()
    assert [row["sequence"] for row in page_one["results"]] == [5, 4]
    page_two = staff_api.get(page_one["next"]).json()
    assert [row["sequence"] for row in page_two["results"]] == [3, 2]
    assert staff_api.get(URL, {"page": 9}).status_code == 404


@pytest.mark.parametrize(
    ("params", "sequences"),
    [
        ({"action": "campaign.approve"}, [1]),
        ({"action": "nothing.like.this"}, []),
        ({"actor": "approver@krogiving.test"}, [5, 4, 2, 1]),
        ({"actor": " Approver@KROGiving.test "}, [5, 4, 2, 1]),
        ({"actor": "nobody@krogiving.test"}, []),
        ({"target_type": "campaign"}, [5, 3, 1]),
        ({"target_type": "campaign", "target_id": "c-1"}, [5, 1]),
        ({"target_id": "w-9"}, [4]),
        ({"action": "campaign.suspend", "actor": "approver@krogiving.test"}, [5]),
    ],
)
def test_filters(staff_api, chain, params, sequences):
    body = staff_api.get(URL, params).json()
    assert [row["sequence"] for row in body["results"]] == sequences
    assert body["count"] == len(sequences)


def test_date_range_by_instant(staff_api, chain):
    second, fourth = chain[1].created_at, chain[3].created_at
    since = staff_api.get(URL, {"date_from": second.isoformat()}).json()
    assert [row["sequence"] for row in since["results"]] == [5, 4, 3, 2]
    until = staff_api.get(URL, {"date_to": fourth.isoformat()}).json()
    assert [row["sequence"] for row in until["results"]] == [4, 3, 2, 1]
    between = staff_api.get(
        URL, {"date_from": second.isoformat(), "date_to": fourth.isoformat()}
    ).json()
    assert [row["sequence"] for row in between["results"]] == [4, 3, 2]


def test_date_range_by_day_covers_the_whole_day(staff_api, chain):
    today = chain[0].created_at.astimezone(dt.UTC).date()
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    assert staff_api.get(URL, {"date_from": str(today), "date_to": str(today)}).json()["count"] == 5
    assert staff_api.get(URL, {"date_to": str(yesterday)}).json()["count"] == 0
    assert staff_api.get(URL, {"date_from": str(tomorrow)}).json()["count"] == 0


def test_a_naive_time_is_taken_as_utc(staff_api, actor):
    entry = audit_log(actor=actor, action="a.b", target_type="t", target_id="1")
    naive = entry.created_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    assert staff_api.get(URL, {"date_from": naive}).json()["count"] == 1
    assert staff_api.get(URL, {"date_to": naive}).json()["count"] == 1
    later = (entry.created_at + dt.timedelta(microseconds=1)).astimezone(dt.UTC)
    assert (
        staff_api.get(URL, {"date_from": later.replace(tzinfo=None).isoformat()}).json()["count"]
        == 0
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2025-02-30"}, "date_to"),
        ({"date_from": "2025-13-01T00:00:00"}, "date_from"),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "date_to"),
        ({"action": "x" * 101}, "action"),
    ],
)
def test_bad_filters_are_400_naming_the_field(staff_api, chain, params, field):
    response = staff_api.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_a_misspelt_filter_is_refused_naming_it(staff_api, chain):
    response = staff_api.get(URL, {"acton": "campaign.approve"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter"
    assert set(error["fields"]) == {"acton"}
    assert "`action`" in error["message"]
