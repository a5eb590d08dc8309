import re
import uuid

from django.http import HttpRequest, HttpResponse

from .context import request_id_var
from .errors import handler404

# A caller-supplied id is kept only when it is short and plain, so it cannot forge log
# structure; otherwise we make our own.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id, put it in every log line and in `X-Request-ID`."""

    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get(self.header, "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # our own attribute
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ApiNotFoundMiddleware:
    """Unknown paths under /v1/ answer the one error shape (404 `not_found`), with DEBUG
    on too: Django's debug 404 page replaces `handler404` then, and a client developer
    running `make run` would get HTML from a JSON API. A redirect that adds a slash
    (CommonMiddleware) is untouched: it still sees a 404."""

    prefix = "/v1/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith(self.prefix)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return handler404(request)
        return response
