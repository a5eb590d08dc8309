"""Start-up checks of the production configuration that settings alone cannot make.

Production serves static files (the console, the API docs) from STATIC_ROOT through
WhiteNoise's manifest storage: without `collectstatic` every page that links a static
file fails. The check runs with every management command that runs system checks
(`check`, `migrate`, `runserver`; not `collectstatic` itself) and when the WSGI
application loads (krogiving/wsgi.py), so gunicorn refuses to start too.

Likewise production keeps uploaded media in object storage (Spaces): nothing serves
MEDIA_ROOT under /media/ there, so with the local file system every uploaded image
would be a 404. Production refuses local media storage unless
ALLOW_LOCAL_MEDIA_IN_PRODUCTION says it is on purpose (a proxy serves MEDIA_ROOT).
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

MANIFEST_NAME = "staticfiles.json"


def static_files_problem() -> str | None:
    """Why production cannot serve its static files, or None when they are collected."""
    if not settings.IS_PRODUCTION:
        return None
    manifest = Path(settings.STATIC_ROOT) / MANIFEST_NAME
    if not manifest.is_file():
        return (
            f"Static files are not collected: {manifest} is missing. Run "
            "`python manage.py collectstatic --noinput` with DJANGO_ENV=production (the "
            "Procfile's release step does) before starting the app."
        )
    return None


@register("krogiving")
def check_static_files_collected(app_configs, **kwargs):
    problem = static_files_problem()
    return [Error(problem, id="krogiving.E001")] if problem else []


def require_static_files() -> None:
    problem = static_files_problem()
    if problem:
        raise ImproperlyConfigured(problem)


LOCAL_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"


def media_storage_problem() -> str | None:
    """Why production's uploaded media would not be served, or None when they would be."""
    if not settings.IS_PRODUCTION:
        return None
    backend = settings.STORAGES.get("default", {}).get("BACKEND", "")
    if backend != LOCAL_STORAGE_BACKEND or settings.ALLOW_LOCAL_MEDIA_IN_PRODUCTION:
        return None
    return (
        "Uploaded media would be stored on local disk, which production does not serve "
        "(/media/ URLs would be 404). Set SPACES_ACCESS_KEY_ID, SPACES_SECRET_ACCESS_KEY "
        "and SPACES_BUCKET_NAME (see .env.sample), or ALLOW_LOCAL_MEDIA_IN_PRODUCTION=true "
        "if something in front serves MEDIA_ROOT under /media/."
    )


@register("krogiving")
def check_media_storage(app_configs, **kwargs):
    problem = media_storage_problem()
    return [Error(problem, id="krogiving.E002")] if problem else []


def require_production_ready() -> None:
    """What gunicorn checks when it loads the app: static files collected, media served."""
    for problem in (static_files_problem(), media_storage_problem()):
        if problem:
            raise ImproperlyConfigured(problem)
