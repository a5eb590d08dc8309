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
RUN pip install --upgrade pip && pip install .
COPY . .
# collectstatic needs settings that import; production values come at run time.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 PAYSTACK_SECRET_KEY=build-only \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["gunicorn", "krogiving.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
