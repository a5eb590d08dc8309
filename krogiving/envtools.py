"""Small parsers for environment values that django-environ does not cover."""

import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")


def parse_duration(value: str) -> timedelta:
    """Parse "7d", "12h", "30m", "45s", "2w" or a plain number of seconds.

    The same notation the previous service used for `EXPIRES_IN`.
    """
    match = _DURATION.match(value)
    if not match or int(match.group(1)) == 0:
        raise ImproperlyConfigured(
            f"{value!r} is not a duration: use a positive number with s, m, h, d or w "
            "(for example 7d)"
        )
    amount, unit = int(match.group(1)), match.group(2) or "s"
    return timedelta(**{_UNITS[unit]: amount})
