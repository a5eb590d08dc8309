"""django.request lines carry the request id, and a 4xx is logged once."""

import logging

import pytest

from apps.core.logging import RequestIdFilter, SkipLoggedErrorAccessLines

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_lines(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    yield lambda: [r for r in caplog.records if r.name == "django.request"]
    caplog.handler.removeFilter(caplog.handler.filters[-1])


def test_a_drf_4xx_line_carries_the_request_id(api, request_lines):
    response = api.post(
        "/v1/users/login", data=[1, 2], format="json", HTTP_X_REQUEST_ID="req-4xx-00001"
    )
    assert response.status_code == 400
    (line,) = request_lines()
    assert line.levelname == "WARNING"
    assert line.getMessage() == "Bad Request: /v1/users/login"
    assert line.request_id == "req-4xx-00001" == response["X-Request-ID"]


def test_a_django_404_line_carries_the_generated_request_id(api, request_lines):
    response = api.get("/v1/nothing-here")
    assert response.status_code == 404
    (line,) = request_lines()
    assert line.request_id == response["X-Request-ID"]
    assert len(line.request_id) == 32


def test_the_json_line_on_stdout_has_the_request_id(api):
    """Through the configured handler and formatter, not only the filter."""
    root = logging.getLogger()
    (stdout,) = [h for h in root.handlers if getattr(h, "name", "") == "stdout"] or [None]
    assert stdout is not None
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(stdout.format(record))

    keep = Keep()
    for item in stdout.filters:
        keep.addFilter(item)
    logging.getLogger("django.request").addHandler(keep)
    try:
        response = api.get("/v1/nothing-here", HTTP_X_REQUEST_ID="req-json-0001")
    finally:
        logging.getLogger("django.request").removeHandler(keep)
    assert response.status_code == 404
    assert len(seen) == 1
    assert '"request_id": "req-json-0001"' in seen[0]


def _handlers_that_emit(record: logging.LogRecord) -> list[logging.Handler]:
    """The handlers logging would hand `record` to, as Logger.callHandlers walks them."""
    emitting = []
    logger: logging.Logger | None = logging.getLogger(record.name)
    while logger is not None:
        for handler in logger.handlers:
            if record.levelno >= handler.level and handler.filter(record):
                emitting.append(handler)
        logger = logger.parent if logger.propagate else None  # type: ignore[assignment]
    return emitting


@pytest.mark.parametrize("debug", [True, False])
def test_a_4xx_is_logged_once(api, request_lines, settings, debug):
    """`make run` has DEBUG on: Django's own console handler on "django" used to print
    every django.request warning a second time, beside our JSON line."""
    settings.DEBUG = debug
    api.post("/v1/users/login", data=[1, 2], format="json")
    (line,) = request_lines()
    ours = [h for h in _handlers_that_emit(line) if "pytest" not in type(h).__module__]
    assert [h.name for h in ours] == ["stdout"]


def test_runserver_access_line_of_a_4xx_is_left_to_django_request():
    access = logging.getLogger("django.server")
    assert any(isinstance(f, SkipLoggedErrorAccessLines) for f in access.filters)
    ok = access.makeRecord(
        "django.server", logging.INFO, "x", 1, '"GET / HTTP/1.1" 200 2', (), None
    )
    ok.status_code = 200
    bad = access.makeRecord("django.server", logging.WARNING, "x", 1, '"GET /x" 404 9', (), None)
    bad.status_code = 404
    assert access.filter(ok)
    assert not access.filter(bad)
