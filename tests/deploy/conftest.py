"""A real nginx, from the production site file (deploy/nginx/bouquet.conf, rendered by
bench/edge.py as `make bench` renders it), in front of whatever a test names."""

import socket
import socketserver
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bench import edge


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, prefix: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {(prefix / 'error.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within 10 s")


@pytest.fixture
def run_nginx(tmp_path):
    """Start nginx in front of `web_servers` (HOST:PORT), with Stripe's webhook sent to
    `webhook_servers` (by default the web servers too), and return its base URL; it is
    stopped when the test ends. Its prefix, with its logs, is `tmp_path/nginx-<port>`."""
    started = []

    def run(
        web_servers: list[str],
        *,
        scraper: str = "127.0.0.1",
        web_workers: int = 3,
        webhook_servers: list[str] | None = None,
        webhook_workers: int = 1,
    ) -> str:
        port = free_port()
        prefix = tmp_path / f"nginx-{port}"
        site = edge.render_site(
            listen=f"127.0.0.1:{port}",
            web_servers=web_servers,
            static_root=tmp_path / "static",
            scraper=scraper,
            web_workers=web_workers,
            webhook_servers=webhook_servers,
            webhook_workers=webhook_workers,
        )
        main = edge.write_configuration(prefix, site)
        process = subprocess.Popen(edge.nginx_argv(prefix, main), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        wait_until_listening(port, process, prefix)
        return f"http://127.0.0.1:{port}"

    yield run
    for process in started:
        process.terminate()
        process.wait(timeout=10)


class DelayingRelay(socketserver.ThreadingTCPServer):
    """Passes each connection on to `target` after holding it `delay_s`: a line in front
    of the web workers, as gunicorn's listen queue is when every worker is busy. It
    counts the connections it was handed (`connections`), so a test tells which of two
    relays in front of one server a request went through."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: tuple[str, int], delay_s: float = 0.0):
        super().__init__(("127.0.0.1", 0), RelayedConnection)
        self.target = target
        self.delay_s = delay_s
        self.connections = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class RelayedConnection(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.connections += 1
        time.sleep(self.server.delay_s)
        with socket.create_connection(self.server.target) as upstream:
            answer = threading.Thread(target=pipe, args=(upstream, self.request), daemon=True)
            answer.start()
            pipe(self.request, upstream)
            answer.join(timeout=10)


def pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


@pytest.fixture
def relay_to_live_server(live_server):
    """Start a DelayingRelay in front of the test's live server (no delay until set) and
    return it; every one started is stopped when the test ends."""
    host, port = live_server.thread.host, live_server.thread.port
    relays = []

    def start() -> DelayingRelay:
        relay = DelayingRelay((host, port))
        threading.Thread(target=relay.serve_forever, daemon=True).start()
        relays.append(relay)
        return relay

    yield start
    for relay in relays:
        relay.shutdown()
        relay.server_close()


@pytest.fixture
def delaying_relay(relay_to_live_server):
    """A DelayingRelay in front of the test's live server (no delay until set)."""
    return relay_to_live_server()
