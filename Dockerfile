FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production

WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY pyproject.toml README.md ./
COPY krogiving ./krogiving
COPY apps ./apps
# Optional extras, e.g. --build-arg PIP_EXTRAS=highlight for Highlight error tracking.
ARG PIP_EXTRAS=""
RUN pip install --upgrade pip && pip install ".${PIP_EXTRAS:+[$PIP_EXTRAS]}"
COPY . .
# collectstatic needs settings that import (production refuses to start without an email
# provider, so a placeholder is given); the real values come at run time. The image
# carries the collected files and their manifest, which production checks for.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 PAYSTACK_SECRET_KEY=build-only \
    MAILERSEND_API_TOKEN=build-only SENDER_EMAIL=build@example.com \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
# gunicorn.conf.py: workers for the cores, graceful shutdown on SIGTERM, access log.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "krogiving.wsgi:application"]
