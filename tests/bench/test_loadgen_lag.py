"""The load generator's own lateness (bench.loadgen): on one shared machine a latency it
measures may be partly its own, so each run records how late its loop woke."""

import socket
import time

from bench import loadgen
from bench.scenarios import loop_lag_figures


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_blocked_generator_loop_shows_in_its_lag():
    url = f"http://127.0.0.1:{closed_port()}/api/v1/orders/"

    def request(index):
        if index == 10:
            time.sleep(0.08)  # the generator's loop held, as a starved process is
        return "POST", url, {}, {"index": index}

    result = loadgen.run(request, loadgen.constant_rate(200, 0.2))

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
