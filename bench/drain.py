"""Watching the journey drain a backlog: every quarter of a second, how many orders
wait at a step, and how fast journey transitions were made (every event but intake's
`CREATED`) and orders confirmed since the sample before, per second. A backlog must
drain at the journey's full rate: a stretch in which orders wait and none moves is a
stall, whatever its cause (a lost wake-up, a lease, a batch waiting on a slow one),
and the spike reports the longest; and while the spike's backlog stands, orders must
be confirmed at least as fast as the end-to-end run confirms them."""

import threading
import time
from contextlib import contextmanager

from django.db import connection

# A stall shorter than this is one quiet second between two batches, not a wait.
STALL_REPORTED_FROM_S = 2
# Fine enough to time a backlog that clears within a second: with one sample a
# second, a backlog of 58 cleared within it gave a lower bound of 44 orders/s for a
# journey moving 1,700 a second (bench/RESULTS.md, 2026-12-01 07:00).
SAMPLE_EVERY_S = 0.25


def _waiting_orders(cursor, waiting_statuses) -> int:
    cursor.execute("SELECT count(*) FROM orders_order WHERE status = ANY(%s) AND hold = ''", [list(waiting_statuses)])
    return cursor.fetchone()[0]


def _moves_since(cursor, event_id: int) -> tuple[int, int, int]:
    """The newest event's id, and how many journey transitions and confirmations came
    after `event_id`."""
    cursor.execute(
        """SELECT coalesce(max(id), %s), count(*) FILTER (WHERE to_status <> 'CREATED'),
                  count(*) FILTER (WHERE to_status = 'CONFIRMED')
             FROM orders_orderevent WHERE id > %s""",
        [event_id, event_id],
    )
    return cursor.fetchone()


@contextmanager
def watching_the_journey(t0: float, waiting_statuses):
    """Yield a list that a thread fills, every SAMPLE_EVERY_S until the block ends, with
    (seconds since t0, orders waiting at a step, journey transitions a second and orders
    confirmed a second since the sample before)."""
    samples: list[tuple[float, int, float, float]] = []
    done = threading.Event()

    def watch():
        from django.db import connections

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT coalesce(max(id), 0) FROM orders_orderevent")
                event_id = cursor.fetchone()[0]
                previous = time.monotonic()
                while not done.wait(SAMPLE_EVERY_S):
                    event_id, moves, confirmed = _moves_since(cursor, event_id)
                    now = time.monotonic()
                    waiting = _waiting_orders(cursor, waiting_statuses)
                    interval = now - previous
                    samples.append((now - t0, waiting, round(moves / interval, 1), round(confirmed / interval, 1)))
                    previous = now
        finally:
            connections.close_all()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield samples
    finally:
        done.set()
        watcher.join()


def longest_stall_s(samples: list[tuple[float, int, float, float]], *, after_s: float = 0.0) -> float:
    """The longest stretch, from `after_s` on, in which orders waited at a step (at both
    ends of each sample's interval) and no journey transition was made."""
    longest = current = 0.0
    previous = None
    for t, waiting, moves, _confirmed in samples:
        if t < after_s:
            previous = (t, waiting)
            continue
        if previous is not None and previous[1] > 0 and waiting > 0 and moves == 0:
            current += t - previous[0]
            longest = max(longest, current)
        else:
            current = 0.0
        previous = (t, waiting)
    return round(longest, 1) if longest >= STALL_REPORTED_FROM_S else 0.0


def departure_rate(count: int, first_to_last_s: float | None) -> float:
    """Orders a second reaching `CONFIRMED`, from the first to the last of them: `count`
    confirmations span `count - 1` intervals. Each order's time to `CONFIRMED` shifts
    both ends alike, so a platform keeping up shows the rate offered, and one falling
    behind (its backlog, and so that time, growing) a lower one. Measured from the first
    order accepted instead, the rate falls short of the rate offered by the last order's
    time to `CONFIRMED` even when nothing waits."""
    if count < 2 or not first_to_last_s:
        return 0.0
    return round((count - 1) / first_to_last_s, 1)


def confirmed_per_s(samples: list[tuple[float, int, float, float]], *, start_s: float, end_s: float) -> float | None:
    """Orders confirmed a second over the samples' intervals that end within
    (`start_s`, `end_s`]."""
    confirmed = covered = 0.0
    previous_t = None
    for t, _waiting, _moves, confirmed_a_second in samples:
        if previous_t is not None and start_s < t <= end_s:
            confirmed += confirmed_a_second * (t - previous_t)
            covered += t - previous_t
        previous_t = t
    return round(confirmed / covered, 1) if covered else None


def drain_figures(
    samples: list[tuple[float, int, float, float]], *, spike_start_s: float, spike_end_s: float, drain_s: float | None
) -> dict:
    """The backlog left when the spike ended, how long it took to clear and how fast it
    drained, and the longest stall while it did. Cleared is when no more orders waited
    than at any moment before the spike: the base traffic goes on after the spike, so the
    queue is empty only by chance until it stops, and `drain_s` (until none waits) ends
    with the base traffic, not with the backlog."""
    at_end = [sample[1] for sample in samples if sample[0] <= spike_end_s]
    backlog = at_end[-1] if at_end else 0
    base_level = max((sample[1] for sample in samples if sample[0] < spike_start_s), default=0)
    cleared_at = next((sample[0] for sample in samples if sample[0] > spike_end_s and sample[1] <= base_level), None)
    cleared_s = None if cleared_at is None else cleared_at - spike_end_s
    return {
        "backlog_at_spike_end": backlog,
        "backlog_cleared_s": None if cleared_s is None else round(cleared_s, 1),
        # At the samples' resolution (SAMPLE_EVERY_S): a backlog cleared before the
        # first sample after the spike drained at least this fast.
        "drain_rate_per_s": round(backlog / cleared_s, 1) if backlog > base_level and cleared_s else None,
        "longest_stall_s": longest_stall_s(samples),
        "journey_moves_per_s_max": max((sample[2] for sample in samples), default=0),
        # While the spike's backlog stood: the journey's pace, against end to end's.
        "confirmed_per_s_in_spike": confirmed_per_s(samples, start_s=spike_start_s, end_s=spike_end_s),
    }
