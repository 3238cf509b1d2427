"""Overload is shed, not queued (docs/DESIGN.md section 7): a request that waited in
front of the web workers longer than settings.SHED_AFTER_SECONDS is answered 503 with
Retry-After before anything else runs, so no order is placed for a client that has
given up on its answer, and the workers spend their time on requests still wanted.

How long a request waited comes from nginx, which stamps `X-Request-Start: t=<unix
seconds with milliseconds>` as it hands the request on (deploy/nginx/bouquet.conf).
The wait is the time in gunicorn's listen queue, which is where requests pile up when
every worker is busy. Without the header (development, tests, a scrape straight at a
web host) nothing is shed. A header that does not parse is ignored: it is logged once
per process, as a proxy that writes it wrongly would otherwise log on every request.

The middleware runs first in MIDDLEWARE and costs a few microseconds a request: a
header read, a float parse and two counter increments."""

import json
import logging
import math
import time

from django.conf import settings
from django.http import HttpResponse

from config.metrics import HTTP_REQUESTS, REQUESTS_SHED

logger = logging.getLogger("bouquet.shedding")

HEADER = "HTTP_X_REQUEST_START"
# However long the queue, a client comes back within this many seconds.
LONGEST_RETRY_AFTER_SECONDS = 10
SHED_BODY = json.dumps(
    {
        "code": "overloaded",
        "detail": (
            "The service is at its peak and this request waited in line longer than it allows; nothing was "
            "done. Retry after the Retry-After seconds, with the same Idempotency-Key for an order."
        ),
    }
).encode()


def seconds_waited(header: str, now: float) -> float | None:
    """Return how long ago the proxy's `t=<seconds>` stamp was taken, or None where the
    header is not of that form."""
    if not header.startswith("t="):
        return None
    try:
        stamp = float(header[2:])
    except ValueError:
        return None
    if not math.isfinite(stamp):
        return None
    return now - stamp


def retry_after_seconds(waited: float) -> int:
    """Return the Retry-After of a shed request: about as long as it waited, as the
    line it waited in takes that long to clear, and at least a second."""
    return min(LONGEST_RETRY_AFTER_SECONDS, max(1, math.ceil(waited)))


def shed_response(waited: float) -> HttpResponse:
    response = HttpResponse(SHED_BODY, status=503, content_type="application/json")
    response["Retry-After"] = str(retry_after_seconds(waited))
    return response


class LoadSheddingMiddleware:
    """Answer 503 with Retry-After, doing nothing else, to a request that waited longer
    than settings.SHED_AFTER_SECONDS in front of the web workers. First in MIDDLEWARE:
    no session, user, database query or view runs for a shed request."""

    malformed_header_logged = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        HTTP_REQUESTS.inc()
        header = request.META.get(HEADER)
        if header is None:
            return self.get_response(request)
        waited = seconds_waited(header, time.time())
        if waited is None:
            self._log_malformed_once(header)
            return self.get_response(request)
        if waited > settings.SHED_AFTER_SECONDS:
            REQUESTS_SHED.inc()
            return shed_response(waited)
        return self.get_response(request)

    def _log_malformed_once(self, header: str) -> None:
        if not LoadSheddingMiddleware.malformed_header_logged:
            LoadSheddingMiddleware.malformed_header_logged = True
            logger.warning(
                "X-Request-Start %r is not of the form t=<unix seconds>: requests are not shed on it "
                "(further such headers in this process are not logged)",
                header[:100],
            )
