import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krogiving.settings")
application = get_wsgi_application()

# Production refuses to serve without its static files collected, or with uploaded media
# on a local disk nothing serves (krogiving/checks.py).
from krogiving.checks import require_production_ready  # noqa: E402

require_production_ready()
