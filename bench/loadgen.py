"""An open-loop load generator: requests leave at a constant arrival rate whatever the
server does, and latency is measured from each request's *intended* send time, so a
stall shows up as latency instead of quietly lowering the rate (what closed-loop tools
such as wrk or hey do, understating the tail)."""

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import aiohttp

# A client gives up on an answer after this long, as an ERP's HTTP client would.
CLIENT_TIMEOUT_S = 10.0
# How often the generator checks its own event loop's lateness (RunResult.loop_lag).
LAG_PROBE_S = 0.005
# The real-time priority the generator's loop runs at (`client_priority`).
CLIENT_PRIORITY = 10


@dataclass
class Sample:
    intended: float  # seconds since the run's start
    latency_s: float
    status: int  # 0: no answer (connection error, timeout)
    body: dict | None = None
    idempotency_key: str | None = None  # the key the request carried, if any
    retry_after: bool = False  # whether the answer carried a Retry-After header
    timed_out: bool = False  # the client gave up waiting for the answer


@dataclass
class RunResult:
    samples: list[Sample] = field(default_factory=list)
    duration_s: float = 0.0
    cpu_s: float = 0.0  # the generator's own CPU time
    # (seconds since the run's start, how late the generator's loop woke): a latency
    # the generator measures includes its own lateness, which a client elsewhere would
    # not add; on one shared machine, the two must be told apart.
    loop_lag: list[tuple[float, float]] = field(default_factory=list)
    realtime: bool = False  # whether the loop ran at real-time priority (`client_priority`)

    def ok(self, expected: int = 202) -> list[Sample]:
        return [s for s in self.samples if s.status == expected]

    def errors(self, expected: int = 202) -> int:
        return sum(1 for s in self.samples if s.status != expected)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


RequestFactory = Callable[[int], tuple[str, str, dict, dict | None]]  # i -> (method, url, headers, json)


async def _send(session, make_request, index, intended, start, result, keep_body):
    method, url, headers, body = make_request(index)
    status, payload, retry_after, timed_out = 0, None, False, False
    try:
        async with session.request(method, url, headers=headers, json=body) as response:
            status = response.status
            retry_after = "Retry-After" in response.headers
            if keep_body:
                payload = await response.json(content_type=None)
            else:
                await response.read()
    except TimeoutError:
        status, timed_out = 0, True
    except aiohttp.ClientError:
        status = 0
    except ValueError:
        pass  # an answer that is not JSON: its status stands
    latency_s = time.monotonic() - start - intended
    key = headers.get("Idempotency-Key")
    result.samples.append(Sample(intended, latency_s, status, payload, key, retry_after, timed_out))


async def _watch_lag(start: float, lags: list[tuple[float, float]]) -> None:
    while True:
        before = time.monotonic()
        await asyncio.sleep(LAG_PROBE_S)
        now = time.monotonic()
        lags.append((now - start, now - before - LAG_PROBE_S))


async def _run(
    make_request: RequestFactory, schedule: list[float], *, keep_body: bool, timeout_s: float, connections: int
) -> RunResult:
    result = RunResult()
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    cpu_before = time.process_time()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.monotonic()
        watcher = asyncio.create_task(_watch_lag(start, result.loop_lag))
        tasks = []
        for index, intended in enumerate(schedule):
            delay = start + intended - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_send(session, make_request, index, intended, start, result, keep_body)))
        await asyncio.gather(*tasks)
        result.duration_s = time.monotonic() - start
        watcher.cancel()
    result.cpu_s = time.process_time() - cpu_before
    return result


def constant_rate(rate: float, seconds: float, offset: float = 0.0) -> list[float]:
    count = int(rate * seconds)
    return [offset + i / rate for i in range(count)]


def run(
    make_request: RequestFactory,
    schedule: list[float],
    *,
    keep_body: bool = False,
    timeout_s: float = CLIENT_TIMEOUT_S,
    connections: int = 512,
) -> RunResult:
    """Send one request per entry of `schedule` (seconds from now) and collect samples."""
    with client_priority() as realtime:
        result = asyncio.run(
            _run(make_request, schedule, keep_body=keep_body, timeout_s=timeout_s, connections=connections)
        )
    result.realtime = realtime
    return result


@contextmanager
def client_priority() -> Iterator[bool]:
    """Run the calling thread, the generator's loop, at real-time priority for the block,
    where the system allows it, and yield whether it does. The generator stands in for
    clients on machines of their own, which never wait for a core behind the platform;
    here, at normal priority, its loop woke up to half a second late in the spike, and
    that wait was counted as the platform's latency (the 503s' p99 was 337 and 374 ms
    so, 10 and 21 ms at real-time priority: bench/RESULTS.md, 2026-12-01 13:11). Its CPU
    is the same either way, and counted apart. Processes it starts run at normal
    priority (SCHED_RESET_ON_FORK)."""
    try:
        before = os.sched_getscheduler(0), os.sched_getparam(0)
        os.sched_setscheduler(0, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(CLIENT_PRIORITY))
    except OSError:  # not permitted here: the figures say so (RunResult.realtime)
        yield False
        return
    try:
        yield True
    finally:
        os.sched_setscheduler(0, *before)
