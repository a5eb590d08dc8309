"""Gunicorn, as the Procfile, the Dockerfile and docker-compose.yml start it.

    gunicorn -c gunicorn.conf.py krogiving.wsgi:application

Every value can be overridden from the environment (names below; .env.sample lists
them). Graceful shutdown: on SIGTERM (a deploy, a scale-down) the arbiter stops
accepting connections and gives each worker `graceful_timeout` seconds to finish the
request it is serving before it is killed; requests are short (the longest, a Paystack
call, gives up after PAYSTACK_DEADLINE_SECONDS=25), so 30 s lets every one finish.
"""

import os

from gunicorn import glogging


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may use
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Threaded workers (gthread), not sync ones: a request waiting on Paystack (100 ms or
# more) holds a thread, not a whole process, so a slow Paystack cannot starve the other
# pages, and each thread keeps its own persistent database connection (CONN_MAX_AGE).
# Why not gevent or ASGI: bench/README.md, "Serving and hot paths". Workers x threads is
# how many requests one instance serves at once, and how many database connections it
# holds (see the pgbouncer notes in docs/decisions.md, issue 15).
workers = int(os.environ.get("WEB_CONCURRENCY", _cores() + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker silent for this long is killed and replaced (a gthread worker's main loop
# stays alive while its threads serve, so a hung worker, not one slow request, trips it);
# above the Paystack deadline, which bounds our longest request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "35"))
# SIGTERM: seconds a worker has to finish the request in hand before it is killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind App Platform's / a compose host's proxy, which keeps connections open.
keepalive = 5
# Recycle workers now and then (memory growth), staggered so they do not all restart.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# Heartbeat files in memory, not on a container's overlay disk (slow fsync stalls workers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Access log on stdout, one line a request, with the request id the app answers in
# X-Request-ID (also on the app's JSON lines). A 4xx/5xx is left out: django.request
# logs it, with the same id, so that it is logged once.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class Logger(glogging.Logger):
    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if (getattr(resp, "status_code", None) or 0) >= 400:
            return
        super().access(resp, req, environ, request_time)


logger_class = Logger
