"""Liveness and readiness: /healthz says the process answers, /readyz that the parts it
needs (PostgreSQL, Redis) answer too, naming the one that does not. Why it fails goes
to the log, never into the answer: /readyz is public, and the error's text names hosts
and ports."""

import logging

from django.db import connection
from django.http import JsonResponse
from django_redis import get_redis_connection

logger = logging.getLogger("bouquet.health")


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    get_redis_connection("default").ping()


READINESS_CHECKS = {"database": _check_database, "redis": _check_redis}


def readyz(request):
    failing = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception:  # any failure of a dependency makes us not ready
            logger.warning("readiness check failed", extra={"dependency": name}, exc_info=True)
            failing[name] = "unreachable"
    if failing:
        detail = "not ready: " + ", ".join(sorted(failing)) + " unreachable"
        return JsonResponse({"status": "unavailable", "detail": detail, "failing": failing}, status=503)
    return JsonResponse({"status": "ok", "checks": {name: "ok" for name in READINESS_CHECKS}})
