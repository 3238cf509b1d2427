"""Orders flowing at a steady rate from clients that behave as a careful ERP does: each
order has its own Idempotency-Key, and an attempt that times out, fails to connect, or
answers 409 (the first attempt is still running), 429 or 5xx is tried again with the
same key and body after a growing pause, until it is accepted or refused.

What the clients learn is what the chaos run checks the platform against: every order
a client was told is accepted must exist once and reach a final state."""

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

RETRYABLE = {0, 409, 429, 500, 502, 503, 504}


@dataclass
class FlowResult:
    offered: int = 0
    accepted: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> order number
    refused: dict[str, int] = field(default_factory=dict)  # Idempotency-Key -> status
    given_up: int = 0
    attempts: int = 0
    replays: int = 0
    answers: Counter = field(default_factory=Counter)  # status (0: no answer in time) -> attempts
    # Why attempts got no answer: "timeout" (the client's), "connection" (refused, reset, closed).
    no_answer: Counter = field(default_factory=Counter)
    # Orders sent again at once because the kept-alive connection they went on had been
    # closed by the server without an answer (Flow._post); not failed attempts.
    stale_connection_retries: int = 0
    slowest_answer_s: float = 0.0  # the longest an attempt waited for any answer (not a timeout)
    # (sent at, seconds to its answer or failure, status) of every attempt, on the
    # monotonic clock: what clients saw during a part of a scenario.
    timeline: list[tuple[float, float, int]] = field(default_factory=list)

    def during(self, start: float, end: float) -> dict:
        """What the attempts sent between `start` and `end` saw."""
        inside = [(seconds, status) for sent, seconds, status in self.timeline if start <= sent <= end]
        return {
            "attempts": len(inside),
            "failed": sum(1 for _, status in inside if not 200 <= status < 300),
            "slowest_s": round(max((seconds for seconds, _ in inside), default=0.0), 2),
        }

    @property
    def failed_requests(self) -> int:
        """Attempts that failed: no answer (a connection refused or reset, the client's
        timeout), or any answer but a 2xx, a 503 shed with Retry-After among them."""
        return sum(n for status, n in self.answers.items() if not 200 <= status < 300)

    def as_dict(self) -> dict:
        return {
            "failed_requests": self.failed_requests,
            "no_answer": dict(self.no_answer),
            "stale_connection_retries": self.stale_connection_retries,
            "offered": self.offered,
            "accepted": len(self.accepted),
            "refused": len(self.refused),
            "given_up": self.given_up,
            "attempts": self.attempts,
            "replays": self.replays,
            "answers": {str(k): v for k, v in sorted(self.answers.items())},
            "slowest_answer_s": round(self.slowest_answer_s, 2),
        }


def steady_timeout(attempt: int) -> float:
    return 10.0


class Flow:
    """`start()`, let the fault happen, `stop()`: no new orders, and every order already
    started keeps retrying until it has an answer or `give_up_s` have passed."""

    def __init__(
        self,
        make_request: Callable[[int], tuple],
        *,
        rate: float,
        attempt_timeout: Callable[[int], float] = steady_timeout,
        give_up_s: float = 300,
        seed: int = 3,
    ):
        self.make_request = make_request
        self.rate = rate
        self.attempt_timeout = attempt_timeout
        self.give_up_s = give_up_s
        self.rng = random.Random(seed)
        self.result = FlowResult()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> "Flow":
        self._thread.start()
        return self

    def stop(self) -> FlowResult:
        self._stopping.set()
        self._thread.join()
        return self.result

    async def _run(self) -> None:
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector) as session:
            tasks = []
            start = time.monotonic()
            index = 0
            while not self._stopping.is_set():
                delay = start + index / self.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(self._place(session, self.make_request(index))))
                index += 1
            self.result.offered = index
            await asyncio.gather(*tasks)

    async def _place(self, session, request) -> None:
        _method, url, headers, body = request
        key = headers["Idempotency-Key"]
        started = time.monotonic()
        pause = 0.25
        attempt = 0
        while time.monotonic() - started < self.give_up_s:
            self.result.attempts += 1
            status, payload, replayed = 0, None, False
            sent = time.monotonic()
            try:
                timeout = aiohttp.ClientTimeout(total=self.attempt_timeout(attempt))
                status, replayed, payload = await self._post(session, url, body, headers, timeout)
                self.result.slowest_answer_s = max(self.result.slowest_answer_s, time.monotonic() - sent)
            except TimeoutError:
                status = 0
                self.result.no_answer["timeout"] += 1
            except (aiohttp.ClientError, ValueError):
                status = 0
                self.result.no_answer["connection"] += 1
            self.result.answers[status] += 1
            self.result.timeline.append((sent, time.monotonic() - sent, status))
            attempt += 1
            if 200 <= status < 300:
                self.result.accepted[key] = payload["number"]
                self.result.replays += replayed
                return
            if status not in RETRYABLE:
                self.result.refused[key] = status
                return
            await asyncio.sleep(pause * self.rng.uniform(0.5, 1.5))
            pause = min(pause * 2, 5.0)
        self.result.given_up += 1

    async def _post(self, session, url, body, headers, timeout) -> tuple[int, bool, object]:
        """Send the order once, and once more at once on a new connection if the server
        closed the kept-alive one it went on without a word (nginx closes idle
        connections when it reloads, and a request can cross that close on the wire).
        An HTTP client does this for a request it may send twice: Go's net/http, for one
        that carries an Idempotency-Key. A connection refused or reset, or a timeout, is
        not retried here: that is a failed attempt."""
        try:
            return await self._send(session, url, body, headers, timeout)
        except aiohttp.ServerDisconnectedError:
            self.result.stale_connection_retries += 1
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as fresh:
            return await self._send(fresh, url, body, headers, timeout)

    @staticmethod
    async def _send(session, url, body, headers, timeout) -> tuple[int, bool, object]:
        async with session.post(url, json=body, headers=headers, timeout=timeout) as response:
            status = response.status
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            payload = await response.json(content_type=None) if status < 300 else await response.read()
            return status, replayed, payload
