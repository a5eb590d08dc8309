"""Per-request cost of each hot path in one process (Django's test client, no HTTP, no
concurrency): the CPU side of the serving probe, less sensitive to a busy machine.
Uses the serving probe's database (bench/probes/serving.py --seed) and Redis db 15.

    .venv/bin/python bench/probes/inprocess.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PATHS = {
    "bare": "/bench/bare",
    "bare_query": "/bench/bare-query",
    "campaign_list": "/v1/campaigns",
    "campaign_detail": "/v1/campaigns/bench-leaderboard",
    "campaign_detail_100": "/v1/campaigns/bench-other-0",
    "leaderboard": "/v1/campaigns/bench-leaderboard/leaderboard",
    "leaderboard_100": "/v1/campaigns/bench-other-0/leaderboard",
    "donations": "/v1/campaigns/bench-leaderboard/donations",
    "donations_100": "/v1/campaigns/bench-other-0/donations",
    "comments": "/v1/campaigns/bench-leaderboard/comments",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--uncached", action="store_true", help="clear the cache before each")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/krogiving")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.probes.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "false",
            "DATABASE_URL": server.rsplit("/", 1)[0] + "/krogiving_serving_probe",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "CACHE_KEY_PREFIX": "krogiving-serving-inprocess",
            "LOG_LEVEL": "WARNING",
            "JOBS_IN_PROCESS": "false",
        }
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    medians: dict[str, float] = {}
    for name, path in PATHS.items():
        assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(args.repeat):
            if args.uncached:
                cache.clear()
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(samples)
    print(f"{'case':22} {'median ms':>10} {'bare/case':>10}")
    for name, median in medians.items():
        print(f"{name:22} {median:>10.2f} {medians['bare'] / median:>10.2f}")


if __name__ == "__main__":
    main()
