import pytest

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_in_the_error_shape(api):
    response = api.post(
        "/v1/users/register", data='{"email": "a@b.com",', content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_request"
    assert "JSON" in error["message"]
    assert error["request_id"] == response["X-Request-ID"]


def test_unknown_url_answers_json_404(api):
    response = api.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_url_answers_json_404_with_debug_on(api, settings):
    # `make run` has DEBUG on, where Django would answer its HTML debug page.
    settings.DEBUG = True
    for path in ("/v1/nothing-here", "/v1/campaigns/x/y/z", "/v1/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        error = response.json()["error"]
        assert error["code"] == "not_found"
        assert error["request_id"] == response["X-Request-ID"]
    # Outside the API, Django's debug page stays (the staff console, the sandbox).
    assert api.get("/nothing-here")["Content-Type"].startswith("text/html")


def test_wrong_method_is_405_in_the_error_shape(api):
    response = api.get("/v1/users/login")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_non_json_body_is_415(api):
    response = api.post("/v1/users/login", data="email=a", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_a_list_body_where_an_object_is_expected_is_a_400(api):
    response = api.post("/v1/users/login", data=[1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_request_id_from_the_caller_is_kept_when_plain(api):
    response = api.get("/healthz", HTTP_X_REQUEST_ID="abc-12345678")
    assert response["X-Request-ID"] == "abc-12345678"


def test_request_id_that_could_forge_log_lines_is_replaced(api):
    response = api.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level":"ERROR"}')
    assert response["X-Request-ID"] != 'x"\n{"level":"ERROR"}'
    assert len(response["X-Request-ID"]) == 32


def test_log_lines_carry_the_request_id(api, caplog):
    import logging

    from apps.core.logging import RequestIdFilter

    records = []

    class Grab(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Grab()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("apps.users.services")
    logger.addHandler(handler)
    try:
        response = api.post(
            "/v1/users/register",
            {
                "email": "log@example.com",
                "password": "a-Strong-pass-42",
                "first_name": "A",
                "last_name": "B",
            },
            format="json",
            HTTP_X_REQUEST_ID="req-for-log-1",
        )
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 201
    assert records and all(r.request_id == "req-for-log-1" for r in records)
