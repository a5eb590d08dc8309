import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krogiving.settings")
application = get_wsgi_application()

# Production refuses to serve without its static files collected (krogiving/checks.py).
from krogiving.checks import require_static_files  # noqa: E402

require_static_files()
