import ipaddress
import logging
import socket
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.metrics_serving import host_metrics_app

logger = logging.getLogger("bouquet.metrics")


class QuietHandler(WSGIRequestHandler):
    # A scrape every few seconds is no news; refusals are (config.metrics_serving).
    def log_request(self, code="-", size="-"):
        if str(code) != "200":
            logger.warning("metrics request refused", extra={"status": code, "client": self.client_address[0]})


class IPv6Server(WSGIServer):
    address_family = socket.AF_INET6


def parse_bind(bind: str) -> tuple[str, int]:
    """Return the host and port of HOST:PORT ([::1]:PORT for IPv6), or raise
    CommandError naming what is wrong with it."""
    host, separator, port = bind.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--bind {bind!r} is not HOST:PORT with a port from 1 to 65535, e.g. 0.0.0.0:9464.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise CommandError(f"--bind {bind!r}: {host!r} is not an IP address to listen on.") from None
    return host, int(port)


class Command(BaseCommand):
    help = (
        "Serve what this machine's processes counted (the multiprocess folder, PROMETHEUS_MULTIPROC_DIR) at "
        "GET /metrics, for a host that runs workers and no web process. The same rule as the web's /metrics: "
        "with METRICS_TOKEN set, Authorization: Bearer <token> is required; without it, loopback only. The "
        "series read from the database and Redis are the web's /metrics' alone, so they are not counted twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default="127.0.0.1:9464",
            help="HOST:PORT to listen on (default 127.0.0.1:9464; 0.0.0.0:9464 for Prometheus on another host)",
        )

    def handle(self, *args, bind, **options):
        host, port = parse_bind(bind)
        if not settings.METRICS_TOKEN and not ipaddress.ip_address(host).is_loopback:
            self.stderr.write(f"METRICS_TOKEN is not set: {bind} will answer only requests from this machine.")
        server_class = IPv6Server if ":" in host else WSGIServer
        try:
            server = make_server(host, port, host_metrics_app, server_class=server_class, handler_class=QuietHandler)
        except OSError as error:
            raise CommandError(f"cannot listen on {bind}: {error.strerror}") from None
        self.stdout.write(f"Serving {settings.METRICS_DIR} at http://{bind}/metrics")
        with server:
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
