"""Bring the platform up for the benchmark as production runs it (nginx in front of one
or more web hosts' gunicorn, one or more worker hosts' `run_workers`, the Stripe
stand-in), with production-like settings, on a database of its own; watch its memory;
and stop everything it started, whatever happens.

A "host" here is a set of processes on this machine that shares nothing with another
host but PostgreSQL and Redis, as two machines would: each web host is its own
gunicorn master on its own port, all of them in nginx's upstream, with beside it the
webhook pool (a second, small gunicorn) that nginx sends Stripe's webhooks to."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

from bench import edge
from bench.environment import BENCH_DATABASE, BENCH_ENV, DEV_ENV, ROOT, STAND_IN_PORT, with_path
from config.first_idle_worker import WORKER_CLASS

RUN_DIR = ROOT / ".run"
VENV_BIN = Path(sys.executable).parent
WEB = "127.0.0.1:8050"
# Web host i listens on nginx's port + 10 i: 8060, 8070 for the bench's nginx on 8050;
# its webhook pool on the port after: 8061, 8071.
WEB_HOST_PORT_STEP = 10
# The webhook pool of each web host as production's bouquet-webhooks runs it: one
# worker (two cost a fifth more CPU a webhook: each idled twice as long between them,
# bench/RESULTS.md 2026-12-01 05:30 to 06:52), shedding only after 5 s (Stripe waits;
# deploy/nginx/bouquet.conf says why).
WEBHOOK_WORKERS, WEBHOOK_SHED_AFTER_SECONDS = 1, "5"


class Platform:
    def __init__(
        self,
        *,
        web_workers: int,
        q_workers: int,
        log_path: Path,
        settings: dict | None = None,
        web: str = WEB,
        stand_in_port: int = STAND_IN_PORT,
        web_hosts: int = 1,
        worker_hosts: int = 1,
    ):
        self.web_workers = web_workers
        self.q_workers = q_workers
        self.web = web  # nginx's address: where clients connect
        self.web_hosts = web_hosts
        self.worker_hosts = worker_hosts
        self.stand_in_port = stand_in_port
        # The platform's own folder: nginx's prefix and the metrics of its processes,
        # emptied so no figure of an earlier run is added to this one's.
        self.folder = RUN_DIR / f"platform-{web.rsplit(':', 1)[1]}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.metrics_dir = self.folder / "metrics"
        self.metrics_dir.mkdir(parents=True)
        self.settings = {
            **BENCH_ENV,
            "STRIPE_API_BASE": f"http://127.0.0.1:{stand_in_port}",
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "METRICS_TOKEN": secrets.token_urlsafe(24),
            # nginx appends the client's address to X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
            **(settings or {}),
        }
        self.metrics_token = self.settings["METRICS_TOKEN"]
        self.log = open(log_path, "ab")
        self.children: dict[str, subprocess.Popen] = {}
        self.memory_peak_mib = 0.0
        self._sampling = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://{self.web}"

    def web_host_address(self, i: int) -> str:
        """Where web host `i` (from 1) listens: its gunicorn master, behind nginx."""
        host, port = self.web.rsplit(":", 1)
        return f"{host}:{int(port) + WEB_HOST_PORT_STEP * i}"

    def webhook_pool_address(self, i: int) -> str:
        """Where web host `i`'s webhook pool listens: the port after its web pool's."""
        host, port = self.web_host_address(i).rsplit(":", 1)
        return f"{host}:{int(port) + 1}"

    def env(self) -> dict:
        return {**os.environ, **self.settings, "Q_WORKERS": str(self.q_workers)}

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), check=True, capture_output=True, text=True
        ).stdout

    def _start(self, name: str, argv: list[str]) -> None:
        env = {**self.env(), "PGAPPNAME": name}  # its connections carry its name (bench.cost)
        self.children[name] = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def start_stand_in(self, *, keep_store: Path | None = None) -> None:
        # Stripe runs on someone else's machines in production; here the stand-in shares
        # ours, so it yields the CPU like the workers do.
        keep = ["--keep-store", str(keep_store)] if keep_store else []
        _refuse_if_taken(f"http://127.0.0.1:{self.stand_in_port}/v1/customers")
        self._start(
            "localstripe",
            [
                "nice",
                "-n",
                "10",
                sys.executable,
                str(ROOT / "scripts" / "stripe_stand_in.py"),
                "--port",
                str(self.stand_in_port),
                "--from-scratch",
                *keep,
            ],
        )
        _wait_for(lambda: _answers(f"http://127.0.0.1:{self.stand_in_port}/v1/customers"), 30, "the Stripe stand-in")

    def start_servers(self, *, webhook_url: str | None = None) -> None:
        """nginx, then every web host and every worker host; return once every web host
        answers through nginx and the Stripe stand-in has the webhook."""
        hosts = range(1, self.web_hosts + 1)
        for address in [self.web, *map(self.web_host_address, hosts), *map(self.webhook_pool_address, hosts)]:
            _refuse_if_taken(f"http://{address}/readyz")
        self.start_nginx()
        for i in range(1, self.web_hosts + 1):
            self.start_web_host(i, wait=False)
        for i in range(1, self.worker_hosts + 1):
            self.start_worker_host(i)
        self.start_stripe_mirror()
        for i in range(1, self.web_hosts + 1):
            self.wait_for_web_host(i)
        _wait_for(lambda: _answers(f"{self.base_url}/readyz"), 30, "nginx")
        self.manage("stripe_register_webhook", "--url", webhook_url or f"{self.base_url}/payments/stripe/webhook/")

    def start_nginx(self) -> None:
        """nginx in front, from deploy/nginx/bouquet.conf, serving the collected static
        files as production does."""
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        prefix = self.folder / "nginx"
        main = edge.write_configuration(prefix, self.nginx_site(range(1, self.web_hosts + 1)))
        edge.check_configuration(prefix, main)
        self._start("nginx", edge.nginx_argv(prefix, main))
        _wait_for(lambda: _listens(self.web), 10, "nginx")

    def nginx_site(self, hosts) -> str:
        """deploy/nginx/bouquet.conf for this platform, its upstream naming web `hosts`."""
        return edge.render_site(
            listen=self.web,
            web_servers=[self.web_host_address(i) for i in hosts],
            static_root=ROOT / "staticfiles",
            web_workers=self.web_workers,
            webhook_servers=[self.webhook_pool_address(i) for i in hosts],
            webhook_workers=WEBHOOK_WORKERS,
        )

    def route_web_to(self, hosts) -> None:
        """Point nginx's upstream at these web hosts only, as a deploy takes a host out of
        the load balancer and puts it back: the site written again and nginx reloaded
        gracefully (HUP: new nginx workers take new connections, the old ones finish the
        requests they have in flight)."""
        (self.folder / "nginx" / "bouquet.conf").write_text(self.nginx_site(hosts))
        self.children["nginx"].send_signal(signal.SIGHUP)

    def start_web_host(self, i: int, *, wait: bool = True) -> None:
        """Web host `i`: a gunicorn master with `web_workers` workers, child "gunicorn"
        (host 1) or "gunicorn-<i>", and its webhook pool, "gunicorn-webhooks" or
        "gunicorn-webhooks-<i>" (the bench's CPU accounting, bench.cost, tells processes
        by these names)."""
        self._start(_host_child("gunicorn", i), self._gunicorn_argv(self.web_host_address(i), self.web_workers))
        self._start(
            _host_child("gunicorn-webhooks", i),
            [
                *self._gunicorn_argv(self.webhook_pool_address(i), WEBHOOK_WORKERS, "config.webhook_wsgi:application"),
                "--env",
                f"SHED_AFTER_SECONDS={WEBHOOK_SHED_AFTER_SECONDS}",
            ],
        )
        if wait:
            self.wait_for_web_host(i)

    @staticmethod
    def _gunicorn_argv(address: str, workers: int, application: str = "config.wsgi:application") -> list[str]:
        options = f"--bind {address} --workers {workers} --no-control-socket --graceful-timeout 10 --backlog 2048"
        options += f" --worker-class {WORKER_CLASS}"  # the first idle worker takes a connection
        return [str(VENV_BIN / "gunicorn"), application, *options.split()]

    def wait_for_web_host(self, i: int) -> None:
        for address in (self.web_host_address(i), self.webhook_pool_address(i)):
            _wait_for(lambda address=address: _answers(f"http://{address}/readyz"), 60, f"gunicorn at {address}")

    def stop_web_host(self, i: int, sig: int = signal.SIGTERM) -> None:
        """Stop web host `i`, its webhook pool too (SIGTERM: gunicorn finishes the
        requests in flight)."""
        self.stop_child(_host_child("gunicorn", i), sig)
        self.stop_child(_host_child("gunicorn-webhooks", i), sig)

    def reload_web(self, i: int | None = None, pools=("gunicorn", "gunicorn-webhooks")) -> None:
        """A graceful reload (HUP) of web host `i`'s gunicorn masters (its web pool's
        and its webhook pool's, or the `pools` named), or of every web host's: new
        workers with the code on disk, the old ones finish their requests. The signal
        goes to the master alone: a worker dies of SIGHUP."""
        hosts = [i] if i is not None else range(1, self.web_hosts + 1)
        for host in hosts:
            for pool in pools:
                self.children[_host_child(pool, host)].send_signal(signal.SIGHUP)

    def start_workers(self) -> None:
        self.start_worker_host(1)

    def start_worker_host(self, i: int) -> None:
        """Worker host `i`: `run_workers`, child "qcluster" (host 1) or "qcluster-<i>".
        Workers yield the CPU to the web tier: at a peak, accepting orders comes first
        and the journey catches up after (the spike scenario measures that)."""
        self._start(_host_child("qcluster", i), [sys.executable, "manage.py", "run_workers"])  # it nices itself

    def start_stripe_mirror(self) -> None:
        """The back office's Stripe mirror, child "mirror", as production runs it beside
        the workers on one host: its CPU is the platform's (bench.cost)."""
        self._start("mirror", [sys.executable, "manage.py", "run_stripe_mirror"])  # it nices itself

    def stop_worker_host(self, i: int, sig: int = signal.SIGTERM) -> None:
        """Stop worker host `i` (SIGTERM: each worker finishes or hands back its batch)."""
        self.stop_child(_host_child("qcluster", i), sig)

    def stop_child(self, name: str, sig: int = signal.SIGTERM, wait_s: float = 20) -> None:
        """Stop one thing this platform started (its whole process group)."""
        process = self.children.pop(name)
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait_s)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        """Stop everything, nginx last: it is the web hosts' only way in."""
        self._sampling.set()
        others = [process for name, process in self.children.items() if name != "nginx"]
        edge_processes = [process for name, process in self.children.items() if name == "nginx"]
        for group in (others, edge_processes):
            for process in group:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 20
            for process in group:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.children.clear()
        self.log.close()

    # --- memory ----------------------------------------------------------------------

    def platform_processes(self) -> list[psutil.Process]:
        """Every process of the platform: what we started with its children (nginx and
        its workers among them), and the PostgreSQL and Redis servers it uses."""
        found = []
        for process in self.children.values():
            try:
                parent = psutil.Process(process.pid)
                found.extend([parent, *parent.children(recursive=True)])
            except psutil.NoSuchProcess:
                pass
        for process in psutil.process_iter(["name"]):
            if process.info["name"] in ("postgres", "redis-server"):
                found.append(process)
        return found

    def rss_mib(self) -> float:
        total = 0
        for process in self.platform_processes():
            try:
                # Unique set size: shared pages (PostgreSQL's shared buffers, forked
                # workers' code) are not counted once per process.
                total += process.memory_full_info().uss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total / 2**20

    def sample_memory(self, interval_s: float = 1.0) -> None:
        def loop():
            while not self._sampling.wait(interval_s):
                self.memory_peak_mib = max(self.memory_peak_mib, self.rss_mib())

        threading.Thread(target=loop, daemon=True).start()


def _host_child(name: str, i: int) -> str:
    return name if i == 1 else f"{name}-{i}"


def _listens(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _refuse_if_taken(url: str) -> None:
    """Fail where another program answers already: the wait for ours would take its
    answer for ours (seen: a test run's stand-in on the bench's port)."""
    if _answers(url):
        raise RuntimeError(f"{url} answers before the bench started anything there; stop what listens on that port")


def _wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f}s")


def fresh_database() -> None:
    """Start every run from an empty database and Redis database of its own, so no work
    left over from an earlier run competes with the one being measured, runs can be
    compared, and the peak view shows this run's minutes of intake only."""
    import psycopg
    import redis

    with psycopg.connect(with_path(DEV_ENV["DATABASE_URL"], "/postgres"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    redis.Redis.from_url(BENCH_ENV["REDIS_URL"]).flushdb()
