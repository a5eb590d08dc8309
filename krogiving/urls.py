from django.apps import apps as django_apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.health import healthz

# admin.site is the staff console (krogiving/console/site.py): password and TOTP.
handler400 = "apps.core.errors.handler400"
handler403 = "apps.core.errors.handler403"
handler404 = "apps.core.errors.handler404"
handler500 = "apps.core.errors.handler500"

v1: list[URLPattern | URLResolver] = [
    # The hot public GETs first: Django tries the patterns in order (issue 15).
    path("", include("apps.campaigns.urls")),
    path("", include("apps.donations.urls")),
    path("", include("apps.users.urls")),
    path("", include("apps.otp.urls")),
    path("", include("apps.campaigns.media_urls")),
    path("", include("apps.platform_settings.urls")),
    path("", include("apps.payments.urls")),
    path("", include("apps.withdrawals.urls")),
    path("", include("apps.cms.urls")),
    path("admin/", include("apps.users.admin_urls")),
    path("admin/", include("apps.campaigns.admin_urls")),
    path("admin/", include("apps.platform_settings.admin_urls")),
    path("admin/", include("apps.audit.admin_urls")),
    path("admin/", include("apps.currency.admin_urls")),
    path("admin/", include("apps.donations.admin_urls")),
    path("admin/", include("apps.payouts.admin_urls")),
    path("admin/", include("apps.core.admin_urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("v1/", include(v1)),
    path("admin/", admin.site.urls),
]

if django_apps.is_installed("apps.paystack_sandbox"):
    urlpatterns.append(path("sandbox/", include("apps.paystack_sandbox.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
