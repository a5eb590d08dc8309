import logging

from .context import current_request_id


class RequestIdFilter(logging.Filter):
    """Stamp each record with the request (or task) id it was logged under."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True
