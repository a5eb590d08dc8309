import logging

from .context import current_request_id


class RequestIdFilter(logging.Filter):
    """Stamp each record with the request (or task) id it was logged under.

    Django logs a 4xx/5xx answer (`django.request`) after the middleware has answered,
    when RequestIdMiddleware has already reset the context variable; such a record
    carries the request itself, whose `request_id` the middleware set.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = current_request_id()
            if request_id == "-":
                request = getattr(record, "request", None)
                request_id = getattr(request, "request_id", None) or "-"
            record.request_id = request_id
        return True


class SkipLoggedErrorAccessLines(logging.Filter):
    """Drop runserver's access line (`django.server`) for a 4xx/5xx answer.

    `django.request` has already logged that answer, as a warning or an error with the
    request id; the access line would log it a second time.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        return not (isinstance(status_code, int) and status_code >= 400)
