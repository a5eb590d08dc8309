"""CPU time per request of the cached public GETs, in process (no gunicorn, no wrk).

Wall-clock throughput is noisy on a shared machine; CPU seconds of this process per
request are not. Each URL goes through Django's WSGI handler (all of MIDDLEWARE, DRF)
against the database and Redis a `make bench` run left (`bench/run.py --keep-db`):

    .venv/bin/python bench/hits_cpu.py --database-name krogiving_bench --redis-db 13

It prints microseconds of CPU per request and the ratio bare / page (the throughput
ratio the harness reports, if CPU is what limits both).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

URLS = [
    "/bench/bare",
    "/v1/campaigns",
    "/v1/campaigns?category=medical&currency=NGN",
    "/v1/campaigns/bench-big",
    "/v1/campaigns/bench-big/comments",
    "/v1/campaigns/bench-big/donations",
    "/v1/campaigns/bench-big/leaderboard",
]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database-name", default="krogiving_bench")
    p.add_argument("--redis-db", type=int, default=13)
    p.add_argument("--requests", type=int, default=500, help="per URL and round")
    p.add_argument("--rounds", type=int, default=5, help="the best round counts")
    p.add_argument("--profile", help="a URL to profile (cProfile, top functions)")
    p.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = p.parse_args()
    sys.path.insert(0, args.root)
    os.environ.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY="bench-" + "x" * 50,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database_name}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        CACHE_KEY_PREFIX="krogiving-bench",
        PAYSTACK_SECRET_KEY="sk_test_bench",
        SENDGRID_API_KEY="SG.bench-fake",
        ALLOW_LOCAL_MEDIA_IN_PRODUCTION="true",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL="http://127.0.0.1:18080",
    )
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def environ(url: str) -> dict:
        path, _, query = url.partition("?")
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "18080",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:18080",
            "wsgi.url_scheme": "https",  # production redirects plain http
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "SERVER_PROTOCOL": "HTTP/1.1",
        }

    def one(url: str) -> None:
        status: list[str] = []
        body = b"".join(handler(environ(url), lambda s, h, *a: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{url}: {status[0]} {body[:200]!r}")

    if args.profile:
        import cProfile
        import pstats

        for _ in range(50):
            one(args.profile)
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(lambda: [one(args.profile) for _ in range(args.requests)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    results: dict[str, float] = {}
    for url in URLS:
        for _ in range(50):
            one(url)
    for _ in range(args.rounds):  # interleaved, so a busy moment hits every URL alike
        for url in URLS:
            started = time.process_time()
            for _ in range(args.requests):
                one(url)
            micros = (time.process_time() - started) / args.requests * 1e6
            results[url] = min(micros, results.get(url, micros))
    bare = results["/bench/bare"]
    for url, micros in results.items():
        print(f"{url:50} {micros:8.0f} us CPU/request  ratio {bare / micros:.2f}")


if __name__ == "__main__":
    main()
