"""Intake latency per minute, for the admin home's peak view (docs/ARCHITECTURE.md,
"The back office's peak view"). Prometheus keeps the same histogram for alerting, but
the back office runs without asking Prometheus anything, so each web process also
counts its intake latencies into per-minute buckets (INTAKE_BUCKETS, which
config.metrics's histogram shares) in its own memory, and adds them to Redis at most every FLUSH_EVERY_SECONDS, from
whichever request finds a flush due: one pipelined round trip for all the counts of
those seconds, so no request pays a Redis round trip of its own and `record` costs a
few microseconds. A minute's counts from every process add up in one Redis hash
(HINCRBY), which the reader turns into that minute's p99.

Redis down costs no request: the counts wait in memory for the next flush (the
minutes older than KEEP_MINUTES are dropped), and a flush that failed is not tried
again for RETRY_AFTER_SECONDS, so a dead Redis costs one request in that many seconds a
connect timeout."""

import atexit
import bisect
import logging
import os
import threading
import time
from collections import defaultdict

logger = logging.getLogger("bouquet.metrics")

# Intake answers in tens of milliseconds; the alert looks at 150 ms (docs/DESIGN.md
# section 9) and the shedding bound is a second, so both edges fall on a bucket's edge.
# The Prometheus histogram (config.metrics) counts into the same buckets.
INTAKE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

FLUSH_EVERY_SECONDS = 2.0
RETRY_AFTER_SECONDS = 30.0
# The peak view shows at most 12 hours; a minute's hash outlives that a little.
KEEP_MINUTES = 13 * 60
# The bucket past the last bound (INTAKE_BUCKETS[-1]) is "inf".
BUCKET_NAMES = tuple(str(bound) for bound in INTAKE_BUCKETS) + ("inf",)

_lock = threading.Lock()
# {minute (seconds since the epoch, a multiple of 60): {"door:bucket name": count}}
_pending: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_next_flush = 0.0


def minute_key(minute: int) -> str:
    """The Redis hash holding the counts of the minute starting at `minute` (epoch seconds)."""
    return f"bouquet:intake_minutes:{minute}"


def record(door: str, seconds: float) -> None:
    """Count one intake answer of `door` that took `seconds`, and flush the counts of
    this process to Redis if a flush is due."""
    now = time.time()
    field = f"{door}:{BUCKET_NAMES[bisect.bisect_left(INTAKE_BUCKETS, seconds)]}"
    with _lock:
        _pending[int(now) // 60 * 60][field] += 1
    if time.monotonic() >= _next_flush:
        flush()


def flush() -> None:
    """Add this process's counts to Redis now; keep them for the next flush if Redis
    cannot be reached."""
    global _next_flush
    with _lock:
        if not _pending:
            _next_flush = time.monotonic() + FLUSH_EVERY_SECONDS
            return
        taken = {minute: dict(fields) for minute, fields in _pending.items()}
        _pending.clear()
        _next_flush = time.monotonic() + FLUSH_EVERY_SECONDS
    try:
        _write(taken)
    except Exception as exc:  # Redis down or slow: never a failed request
        logger.warning("intake minutes not flushed; kept for the next try", extra={"error": repr(exc)})
        _keep_for_later(taken)


def _write(counts: dict[int, dict[str, int]]) -> None:
    from django_redis import get_redis_connection

    pipeline = get_redis_connection("default").pipeline(transaction=False)
    for minute, fields in counts.items():
        key = minute_key(minute)
        for field, count in fields.items():
            pipeline.hincrby(key, field, count)
        pipeline.expireat(key, minute + KEEP_MINUTES * 60)
    pipeline.execute()


def _keep_for_later(counts: dict[int, dict[str, int]]) -> None:
    global _next_flush
    oldest_kept = int(time.time()) // 60 * 60 - KEEP_MINUTES * 60
    with _lock:
        for minute, fields in counts.items():
            if minute >= oldest_kept:
                for field, count in fields.items():
                    _pending[minute][field] += count
        _next_flush = time.monotonic() + RETRY_AFTER_SECONDS


def _forget_the_parents_counts() -> None:
    # A forked worker starts with its parent's memory: the parent's counts are the
    # parent's to flush, or they would be counted twice.
    global _lock, _next_flush
    _lock = threading.Lock()
    _pending.clear()
    _next_flush = 0.0


os.register_at_fork(after_in_child=_forget_the_parents_counts)
# A worker that stops (a graceful reload, a recycled worker) hands in its last seconds.
atexit.register(flush)


def minute_counts(minutes: list[int]) -> dict[int, dict[str, int]]:
    """The counts every process has flushed for each of `minutes` (epoch seconds), by
    "door:bucket name", in one round trip: {} for a minute without traffic."""
    from django_redis import get_redis_connection

    pipeline = get_redis_connection("default").pipeline(transaction=False)
    for minute in minutes:
        pipeline.hgetall(minute_key(minute))
    answers = pipeline.execute()
    return {
        minute: {field.decode(): int(count) for field, count in answer.items()}
        for minute, answer in zip(minutes, answers, strict=True)
    }


def quantile(counts: dict[str, int], q: float, door: str | None = None) -> float | None:
    """The `q` quantile (0.99 for p99) of one minute's counts, all doors or one, as
    Prometheus's histogram_quantile estimates it: linear within the bucket it falls in,
    the last finite bound for the bucket past it. None when nothing was counted."""
    by_bucket = [0] * len(BUCKET_NAMES)
    for field, count in counts.items():
        field_door, _, bucket = field.rpartition(":")
        if door is None or field_door == door:
            by_bucket[BUCKET_NAMES.index(bucket)] += count
    total = sum(by_bucket)
    if not total:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(by_bucket):
        if seen + count >= rank and count:
            if index == len(INTAKE_BUCKETS):
                return INTAKE_BUCKETS[-1]
            lower = INTAKE_BUCKETS[index - 1] if index else 0.0
            return lower + (INTAKE_BUCKETS[index] - lower) * (rank - seen) / count
        seen += count
    return INTAKE_BUCKETS[-1]


def p99_by_minute(minutes: list[int], door: str | None = None) -> dict[int, float | None]:
    """Each minute's intake p99 in seconds (all doors, or `door`), None for a minute
    with no intake."""
    return {minute: quantile(counts, 0.99, door) for minute, counts in minute_counts(minutes).items()}
