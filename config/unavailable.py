"""A dependency outage answers 503 with Retry-After, quickly, instead of a 500.

When PostgreSQL restarts (a failover, a minor upgrade), requests in flight and the
next ones fail to reach it. A 503 tells an ERP client, and the load balancer, that
trying again shortly is right; with its Idempotency-Key the retry cannot place an
order twice. Django closes the broken connection at the end of the request
(CONN_HEALTH_CHECKS), so the web recovers by itself when the database is back."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger("bouquet.web")

RETRY_AFTER_SECONDS = 2

# Errors that say "not now", not "this request is wrong": psycopg's OperationalError
# (re-raised by Django) covers a refused connection, a server shutting down, a
# connection that died, and a lock or statement timeout; InterfaceError a connection
# Django knows is closed.
UNAVAILABLE = (OperationalError, InterfaceError)


class DependencyUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNAVAILABLE):
            return None
        logger.warning(
            "database unavailable; answered 503", extra={"path": request.path, "error": str(exception)[:200]}
        )
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            response = JsonResponse(
                {
                    "code": "service_unavailable",
                    "detail": "The service is briefly unavailable; retry shortly with the same Idempotency-Key.",
                },
                status=503,
            )
        else:
            response = HttpResponse(
                "<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1>"
                "<p>Bouquet is briefly unavailable; please try again in a few seconds.</p>",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
