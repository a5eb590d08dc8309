"""The Redis cache client the test settings use: `clear()` empties only our keys.

django-redis's `clear()` is FLUSHDB: it would empty the whole Redis database, the keys of
another xdist worker (or of someone else's run sharing the database) included. Each
worker has its own KEY_PREFIX (krogiving/settings_test.py), and this `clear()` deletes
the keys under that prefix only, every version.
"""

from __future__ import annotations

import re

from django_redis.client import DefaultClient
from redis import Redis

_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")
_BATCH = 500


def glob_escape(text: str) -> str:
    return _GLOB_SPECIAL.sub(r"\\\1", text)


class PrefixScopedClient(DefaultClient):
    def clear(self, client: Redis | None = None) -> None:
        if client is None:
            client = self.get_client(write=True)
        pattern = f"{glob_escape(self._backend.key_prefix)}:*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=_BATCH):
            batch.append(key)
            if len(batch) >= _BATCH:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
