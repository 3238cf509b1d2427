"""The webhook pool's addresses (config/webhook_pool_settings.py): Stripe's webhook and
the health checks; anything else is a JSON 404, as under /payments/ on the web pool."""

from django.urls import include, path

from config import health
from config.api import errors as api_errors

urlpatterns = [
    path("payments/", include("journey.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = api_errors.json_bad_request
handler404 = api_errors.json_not_found
handler500 = api_errors.json_server_error
