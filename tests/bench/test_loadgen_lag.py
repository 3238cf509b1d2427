"""The load generator's own lateness (bench.loadgen): on one shared machine a latency it
measures may be partly its own, so each run records how late its loop woke."""

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import loadgen
from bench.scenarios import loop_lag_figures


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_generator(*args, **kwargs) -> loadgen.RunResult:
    """`loadgen.run` in a thread of its own, as the bench runs it: one with no event loop.
    A browser test earlier in this process leaves Playwright's loop running in this
    thread (tests/browser/conftest.py), and asyncio.run refuses to start beside it."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(loadgen.run, *args, **kwargs).result()


def test_a_blocked_generator_loop_shows_in_its_lag():
    url = f"http://127.0.0.1:{closed_port()}/api/v1/orders/"

    def request(index):
        if index == 10:
            time.sleep(0.08)  # the generator's loop held, as a starved process is
        return "POST", url, {}, {"index": index}

    result = run_generator(request, loadgen.constant_rate(200, 0.2))

    assert len(result.samples) == 40
    assert all(sample.status == 0 for sample in result.samples)  # nothing listens there
    lags = [lag for _, lag in result.loop_lag]
    assert max(lags) >= 0.07
    assert sorted(lags)[len(lags) // 2] < 0.07
    times = [t for t, _ in result.loop_lag]
    assert times == sorted(times)


def test_lag_figures_give_the_99th_percentile_and_the_worst_in_ms():
    lags = [(index * 0.005, 0.001) for index in range(99)] + [(0.5, 0.25)]

    assert loop_lag_figures(lags) == {"loadgen_lag_p99_ms": 1.0, "loadgen_lag_max_ms": 250.0}
    assert loop_lag_figures([]) == {}


def real_time_priority_allowed() -> bool:
    """Whether this system lets a process take real-time priority, asked apart from
    the code under test."""
    probe = "import os; os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


needs_real_time = pytest.mark.skipif(
    not real_time_priority_allowed(), reason="this system refuses real-time priority (the runs then say so)"
)


@needs_real_time
def test_the_generators_loop_runs_at_real_time_priority_and_what_it_starts_does_not():
    normal = os.sched_getscheduler(0)
    with loadgen.client_priority() as realtime:
        inside = os.sched_getscheduler(0)
        child = subprocess.run(
            [sys.executable, "-c", "import os; print(os.sched_getscheduler(0))"],
            capture_output=True,
            text=True,
            check=True,
        )
    assert realtime
    assert inside & ~os.SCHED_RESET_ON_FORK == os.SCHED_FIFO
    assert int(child.stdout) == os.SCHED_OTHER
    assert os.sched_getscheduler(0) == normal


@needs_real_time
def test_a_run_says_whether_its_loop_ran_at_real_time_priority():
    url = f"http://127.0.0.1:{closed_port()}/"
    result = run_generator(lambda index: ("GET", url, {}, None), [0.0])
    assert result.realtime is True
