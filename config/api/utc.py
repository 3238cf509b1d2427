"""The API speaks UTC: DRF renders every moment in the active time zone, so each API
request runs in UTC and every moment ends in "Z" (config/moments.py), whichever door
wrote it. Pages for people keep the site's zone; rules that need the supplier's
"today" ask for its zone by name (orders.validation.supplier_today)."""

from datetime import UTC

from django.utils import timezone


class ApiTimesInUtcMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(UTC):
            return self.get_response(request)
