"""The API speaks UTC: DRF renders every moment in the active time zone, so each API
request runs in UTC and every moment ends in "Z" (config/moments.py), whichever door
wrote it. Pages for people keep the site's zone; the delivery promise reads "today"
and its order-by times on each warehouse's own clock (fulfillment/promise.py), and
answers its order-by moments with that warehouse's offset, not in UTC."""

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
