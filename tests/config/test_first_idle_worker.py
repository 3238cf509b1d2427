"""The web pools' gunicorn worker (config/first_idle_worker.py): a connection goes to
the first idle worker, so at a steady rate one worker serves, warm, while the others
wait; several requests at once still get a worker each; signals still reach a worker
waiting for a connection. Real gunicorn processes, a trivial application."""

import collections
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from config.first_idle_worker import WORKER_CLASS
from tests.support.processes import end_process, wait_for
from tests.support.services import _free_port

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


def _pid_at(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode()


def _answers(url: str) -> bool:
    try:
        _pid_at(url)
    except OSError:
        return False
    return True


@pytest.fixture
def pool(tmp_path):
    """gunicorn serving tests/support/pid_app.py with WORKERS of our workers; yields
    (base URL, the master process)."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        master = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tests.support.pid_app:application"]
            + ["--workers", str(WORKERS), "--worker-class", WORKER_CLASS]
            + ["--bind", f"127.0.0.1:{port}", "--no-control-socket", "--graceful-timeout", "20"],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), 30, f"gunicorn at {base} (see {log})")
        # Every worker up and waiting: before they are, the first ones take everything anyway.
        wait_for(lambda: len(_worker_pids(master)) == WORKERS, 30, "all the workers started")
        time.sleep(0.5)
        yield base, master
    finally:
        end_process(master, grace_s=30)


def _worker_pids(master: subprocess.Popen) -> set[str]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return set(children.read_text().split()) if children.exists() else set()


def test_requests_one_at_a_time_are_all_served_by_the_same_worker(pool):
    base, _ = pool
    served_by = collections.Counter()
    for _ in range(40):
        served_by[_pid_at(base)] += 1
        time.sleep(0.02)  # as at a steady rate: every worker idle when the next comes
    # gunicorn's own sync worker spreads these over its three workers (the first to wake wins).
    assert len(served_by) == 1, served_by


def test_requests_at_once_each_get_a_worker_of_their_own(pool):
    base, master = pool
    with ThreadPoolExecutor(WORKERS) as clients:
        started = time.monotonic()
        pids = list(clients.map(lambda _: _pid_at(f"{base}/slow"), range(WORKERS)))
        took = time.monotonic() - started
    assert set(pids) == _worker_pids(master)
    assert took < 1.4, f"three 0.5 s requests took {took:.2f} s: they waited for one another"


def test_a_worker_waiting_for_a_connection_stops_at_once_when_told(pool):
    base, master = pool
    _pid_at(base)
    master.send_signal(signal.SIGTERM)  # the master tells its idle workers to stop
    started = time.monotonic()
    master.wait(timeout=20)
    # A worker the signal did not wake would stop only when its wait timed out (15 s).
    assert time.monotonic() - started < 5


def test_a_stopping_worker_serves_the_connection_it_was_woken_for(tmp_path):
    """The kernel woke this worker alone for a connection just as it was told to stop:
    on its way out it serves what waits, and returns at once when nothing does."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from config.first_idle_worker import FirstIdleSyncWorker
    from tests.support.pid_app import application

    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    config = Config()
    config.set("worker_tmp_dir", str(tmp_path))
    worker = FirstIdleSyncWorker(1, os.getpid(), [listener], None, 30, config, Logger(config))
    worker.wsgi = application
    try:
        worker.serve_handed_over()  # nothing waiting: returns at once
        client = socket.create_connection(listener.getsockname(), timeout=5)
        client.sendall(b"GET / HTTP/1.0\r\nHost: test\r\n\r\n")
        worker.serve_handed_over()
        answer = b"".join(iter(lambda: client.recv(4096), b""))  # the worker closes it when done
        assert answer.startswith(b"HTTP/1.0 200 OK"), answer
        assert answer.endswith(str(os.getpid()).encode())
    finally:
        listener.close()
        worker.tmp.close()
