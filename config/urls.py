from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backoffice.metrics import metrics
from config import error_pages, health
from config.api import errors as api_errors

api_v1 = [
    path("", include("orders.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("partners.api.urls")),
    path("", include("fulfillment.api.urls")),
]

urlpatterns = [
    # The machines' doors first: every order and webhook is resolved against them
    # before the portal's many patterns are tried.
    path("api/v1/", include(api_v1)),
    path("payments/", include("journey.urls")),
    path("", include("portal.urls")),
    path("accounts/", include("portal.auth_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.BENCH_CEILING_VIEW:
    from config import bench

    urlpatterns.append(path("bench/ceiling/", bench.ceiling))


def _json_for_machines(json_view, html_view):
    """JSON errors under /api/ and /payments/, the usual pages elsewhere."""

    def view(request, *args, **kwargs):
        if request.path.startswith(("/api/", "/payments/")):
            return json_view(request, *args, **kwargs)
        return html_view(request, *args, **kwargs)

    return view


from django.views import defaults as _defaults  # noqa: E402

handler400 = _json_for_machines(api_errors.json_bad_request, error_pages.bad_request)
handler404 = _json_for_machines(api_errors.json_not_found, _defaults.page_not_found)
handler500 = _json_for_machines(api_errors.json_server_error, _defaults.server_error)
