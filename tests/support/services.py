"""Services of a test run's own, so runs side by side never share state: `pytest -n`'s
workers, or two runs on one machine with different REDIS_URLs.

Loaded early by pyproject's addopts (`-p tests.support.services`): the Redis database
must be chosen before pytest-django sets Django up, because the django-redis cache,
django-q2's broker and the test database's name (tests/conftest.py) all read
REDIS_URL once, when the settings load.

Each xdist worker adds its index to the database number: with REDIS_URL's /6, gw0
uses /6 and gw1 /7. The autouse `clean_redis` flushes that database before every
test, so two workers on one database would wipe each other's wake-up flags and queue."""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.processes import end_process

# Database 0 is `make run`'s (dev.env); a bare `pytest` must not flush it.
TEST_REDIS_URL = "redis://127.0.0.1:6379/1"
# A Redis server has 16 databases unless configured otherwise.
REDIS_DATABASES = 16

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = ROOT / "scripts" / "stripe_stand_in.py"
STAND_IN_START_SECONDS = 30


def worker_index() -> int:
    """Return this xdist worker's index (gw3 is 3), or 0 outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else 0


def redis_url_for_worker(url: str, index: int) -> str:
    """Return `url` with `index` added to its database number (0 when it names none)."""
    match = re.fullmatch(r"(?P<server>redis://[^/]*)(?:/(?P<db>\d*))?(?P<rest>\?.*)?", url)
    if match is None:
        raise pytest.UsageError(f"REDIS_URL {url!r} is not of the form redis://host:port/db")
    database = int(match["db"] or 0) + index
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL {url!r} with xdist worker {index} needs Redis database {database}, and Redis has "
            f"{REDIS_DATABASES}: use a lower database number or fewer workers (-n)"
        )
    return f"{match['server']}/{database}{match['rest'] or ''}"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args) -> None:
    """Before pytest-django loads the settings, point REDIS_URL at this worker's database.
    Child processes the tests start (run_workers, a second Django) inherit it."""
    os.environ["REDIS_URL"] = redis_url_for_worker(os.environ.get("REDIS_URL") or TEST_REDIS_URL, worker_index())
    # The tests use the development secrets, as `make run` does (dev.env): with DEBUG off
    # in the environment, the run_workers and Django the tests start would refuse them
    # (config/checks.py), and the settings would redirect every request to HTTPS.
    # pytest-django still runs the tests themselves with settings.DEBUG False.
    os.environ["DEBUG"] = "1"
    # dj-stripe's tables from its models, not its slow migrations (config/stripe_settings.py).
    os.environ.setdefault("DJSTRIPE_TABLES_FROM_MODELS", "1")
    # The metric values this process counts, in a folder of its own, fresh, before
    # config/settings.py imports prometheus_client: a test reading /metrics sees its
    # own worker's counts only, never another worker's or `make run`'s.
    metrics_dir = tempfile.mkdtemp(prefix=f"bouquet-metrics-gw{worker_index()}-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    atexit.register(shutil.rmtree, metrics_dir, ignore_errors=True)


def _free_port() -> int:
    # The stand-in listens on every interface (IPv6 and IPv4), so ask for a port there;
    # on a machine without IPv6, on IPv4's.
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::", 0))
            return probe.getsockname()[1]
    except OSError:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("0.0.0.0", 0))
            return probe.getsockname()[1]


def _answers(address: str) -> bool:
    try:
        urllib.request.urlopen(address, timeout=1)
    except urllib.error.HTTPError:
        return True  # 401 without a key: it is up
    except OSError:
        return False
    return True


def _start_stand_in(log) -> tuple[subprocess.Popen, str] | None:
    """Start one stand-in on a port free a moment ago; None if it lost the port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(STAND_IN), "--port", str(port), "--from-scratch"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STAND_IN_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None  # most likely another process took the port in between
        if _answers(address):
            return process, address
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"the Stripe stand-in did not answer at {address} within {STAND_IN_START_SECONDS} s")


@contextmanager
def stripe_stand_in(log_path: Path) -> Iterator[str]:
    """Run a Stripe stand-in (localstripe, empty) on a free port and yield its address.

    One per pytest process: the tests register the webhook endpoint under a fixed id
    and count PaymentIntents, so xdist workers must not share one."""
    with log_path.open("ab") as log:
        for _attempt in range(3):
            if started := _start_stand_in(log):
                break
        else:
            raise RuntimeError(f"the Stripe stand-in would not start; see {log_path}")
    process, address = started
    try:
        yield address
    finally:
        end_process(process, grace_s=10)
