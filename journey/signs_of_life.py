"""The workers' last sign of life, for the "workers silent" alert (docs/ARCHITECTURE.md,
"Metrics and alerts"). Every step task and every sweep stamps the time in Redis, and
the sweeper's schedule runs every minute even when no order flows, so a stamp older
than a few minutes means no journey worker on any host is taking tasks: orders would
wait without the queue growing. The stamp is the worker host's clock, as the alert's
time() is Prometheus's: the hosts keep time by NTP."""

import logging
import time

from django_redis import get_redis_connection

logger = logging.getLogger("bouquet.journey")

WORKERS_SEEN_KEY = "bouquet:workers:last_seen"


def note_workers_alive() -> None:
    """Stamp now as the workers' last sign of life; a Redis failure only logs, as the
    task's work comes first."""
    try:
        get_redis_connection("default").set(WORKERS_SEEN_KEY, time.time())
    except Exception as exc:
        logger.warning("could not note the workers' sign of life", extra={"error": repr(exc)})


def workers_last_seen() -> float | None:
    """Return the Unix time of the workers' last sign of life, None if none was ever
    seen. Raises if Redis cannot be asked: the caller says so."""
    stamp = get_redis_connection("default").get(WORKERS_SEEN_KEY)
    return float(stamp) if stamp is not None else None
