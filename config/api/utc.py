"""The API speaks UTC: every moment it writes ends in "Z", whichever door wrote it
(intake's snapshot, a serializer, the Sync-Watermark), so the same instant reads the
same in every answer and a watermark pasted raw into a URL still parses (an
unencoded "+00:00" arrives as " 00:00"). Pages for people keep the site's zone."""

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


def utc_text(moment) -> str:
    """A moment as the API writes it: ISO 8601 in UTC with six digits of microseconds
    and a "Z", the same text DRF's DateTimeField gives under ApiTimesInUtcMiddleware."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
