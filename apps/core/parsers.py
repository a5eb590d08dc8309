"""The JSON parser every endpoint uses.

DRF's JSONParser turns a ValueError from `json.loads` into a 400, but a deeply nested
body (a couple of kilobytes of `[`) makes the decoder raise RecursionError, which DRF
lets through as a 500 with a traceback, before any authentication. Here it is a 400
`malformed_request`, which `django.request` logs as one line like every 4xx (no
traceback), so nothing is logged here.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NESTING_MESSAGE = "JSON parse error - the body is nested too deeply."


def json_loads(data: str | bytes) -> Any:
    """`json.loads`, with a body nested too deeply raised as ValueError like any bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError(NESTING_MESSAGE) from None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(NESTING_MESSAGE) from None
