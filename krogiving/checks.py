"""Start-up checks of the production configuration that settings alone cannot make.

Production serves static files (the console, the API docs) from STATIC_ROOT through
WhiteNoise's manifest storage: without `collectstatic` every page that links a static
file fails. The check runs with every management command that runs system checks
(`check`, `migrate`, `runserver`; not `collectstatic` itself) and when the WSGI
application loads (krogiving/wsgi.py), so gunicorn refuses to start too.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

MANIFEST_NAME = "staticfiles.json"


def static_files_problem() -> str | None:
    """Why production cannot serve its static files, or None when they are collected."""
    if not getattr(settings, "IS_PRODUCTION", False):
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
