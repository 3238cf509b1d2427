"""Intake latency per minute (config.intake_minutes): counted in each process's memory,
added up in Redis by every process's flushes, read back as a p99 per minute; a minute
without intake has none, and Redis down fails no request."""

import multiprocessing
from datetime import UTC, datetime

import pytest
import redis
import time_machine

from config import intake_minutes

MINUTE = datetime(2027, 2, 13, 7, 0, tzinfo=UTC)
EPOCH_MINUTE = int(MINUTE.timestamp())


def answer_orders(fast: int, slow: int) -> None:
    """In a process of its own: answer `fast` orders in 20 ms and `slow` in 300 ms, at
    07:00:30 of MINUTE, and hand the counts in as a worker that stops does."""
    with time_machine.travel(MINUTE.replace(second=30), tick=False):
        for _ in range(fast):
            intake_minutes.record("api", 0.02)
        for _ in range(slow):
            intake_minutes.record("portal", 0.3)
        intake_minutes.flush()


def test_the_flushes_of_several_processes_add_up_to_one_minute():
    intake_minutes.flush()  # nothing of this process's own left to add
    fork = multiprocessing.get_context("fork")
    workers = [fork.Process(target=answer_orders, args=(fast, slow)) for fast, slow in ((40, 1), (30, 0), (28, 1))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0

    [counts] = intake_minutes.minute_counts([EPOCH_MINUTE]).values()
    assert counts == {"api:0.025": 98, "portal:0.5": 2}
    # The 99th of 100 answers lies in the bucket up to 0.5 s, halfway into its two.
    assert intake_minutes.p99_by_minute([EPOCH_MINUTE]) == {EPOCH_MINUTE: pytest.approx(0.375)}
    assert intake_minutes.p99_by_minute([EPOCH_MINUTE], door="api") == {EPOCH_MINUTE: pytest.approx(0.02485)}


def test_a_minute_without_intake_has_no_p99():
    answer_orders(10, 0)

    p99 = intake_minutes.p99_by_minute([EPOCH_MINUTE - 60, EPOCH_MINUTE])

    assert p99[EPOCH_MINUTE - 60] is None
    assert p99[EPOCH_MINUTE] == pytest.approx(0.02485)


def test_a_request_pays_no_round_trip_until_a_flush_is_due():
    with time_machine.travel(MINUTE, tick=False):
        intake_minutes.flush()
        intake_minutes.record("api", 0.01)  # the flush just made: not due for a couple of seconds

        assert intake_minutes.minute_counts([EPOCH_MINUTE]) == {EPOCH_MINUTE: {}}
        intake_minutes.flush()
        assert intake_minutes.minute_counts([EPOCH_MINUTE]) == {EPOCH_MINUTE: {"api:0.01": 1}}


def test_redis_down_fails_no_request_and_the_counts_wait_for_it(monkeypatch):
    import django_redis

    real = django_redis.get_redis_connection
    nobody_listens = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    monkeypatch.setattr(django_redis, "get_redis_connection", lambda alias="default": nobody_listens)
    with time_machine.travel(MINUTE, tick=False):
        intake_minutes.flush()
        intake_minutes.record("csv", 7.0)
        intake_minutes.flush()  # refused: kept

        monkeypatch.setattr(django_redis, "get_redis_connection", real)
        intake_minutes.flush()

    assert intake_minutes.minute_counts([EPOCH_MINUTE]) == {EPOCH_MINUTE: {"csv:10.0": 1}}
    assert intake_minutes.quantile({"csv:inf": 3}, 0.99) == 10.0  # past the last bound: the last bound
