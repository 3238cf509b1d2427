"""Who may read the metrics, and the figures of this machine's processes, for the two
doors that serve them: the web's `/metrics` (backoffice/metrics.py, which adds the
series read from the database and Redis) and `manage.py serve_metrics` on a host
without web processes (docs/ARCHITECTURE.md, "Metrics and alerts").

Only the platform's scraper may read them. With METRICS_TOKEN set, a request must
carry `Authorization: Bearer <METRICS_TOKEN>`. Without it (development: config/checks.py
refuses production without one), only this machine may: the connection must come from
the loopback address, and so must every address a proxy names (X-Forwarded-For,
X-Real-IP), so that nginx on the same machine does not make every client local. A
refusal is 403, not 404: /metrics is no secret (every Prometheus target has one), and
the operator whose scraper is refused is told what it lacks."""

import hmac
import ipaddress
from collections.abc import Mapping

from django.conf import settings
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

TOKEN_REQUIRED = "The metrics need the header Authorization: Bearer <METRICS_TOKEN>; this request's is absent or wrong."
LOOPBACK_ONLY = (
    "Without METRICS_TOKEN the metrics answer only this machine's loopback address; this request came from "
    "{address}. Set METRICS_TOKEN to scrape them from elsewhere."
)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False


def _token_offered(environ: Mapping) -> bytes:
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip().encode() if scheme.lower() == "bearer" else b""


def metrics_refusal(environ: Mapping) -> str | None:
    """Return why the request (a WSGI environ, or Django's request.META) may not read
    the metrics, or None when it may."""
    token = settings.METRICS_TOKEN
    if token:
        # In constant time: how much of a guess matched must not show in the answer's time.
        return None if hmac.compare_digest(_token_offered(environ), token.encode()) else TOKEN_REQUIRED
    named = [environ.get("REMOTE_ADDR", ""), *environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    named.append(environ.get("HTTP_X_REAL_IP", ""))
    outside = [address.strip() for address in named[1:] if address.strip() and not _is_loopback(address)]
    if not _is_loopback(named[0]):
        outside.insert(0, named[0] or "an unknown address")
    return LOOPBACK_ONLY.format(address=", ".join(outside)) if outside else None


def process_registry() -> CollectorRegistry:
    """Return a registry of what this machine's processes counted (the multiprocess
    folder, settings.METRICS_DIR), read at each collection."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(settings.METRICS_DIR))
    return registry


def exposition(registry: CollectorRegistry) -> tuple[bytes, str]:
    """Return the registry's series in Prometheus's text format, and its content type:
    version 0.0.4, which every Prometheus 2 reads (our names need no 1.0.0 escaping)."""
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4


def host_metrics_app(environ, start_response):
    """The WSGI application `manage.py serve_metrics` runs: GET /metrics only."""
    if environ.get("PATH_INFO") != "/metrics":
        return _plain(start_response, "404 Not Found", "Only /metrics is served here.")
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _plain(start_response, "405 Method Not Allowed", "/metrics answers GET.")
    if refusal := metrics_refusal(environ):
        return _plain(start_response, "403 Forbidden", refusal)
    body, content_type = exposition(process_registry())
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _plain(start_response, status: str, text: str) -> list[bytes]:
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
