"""A journey worker told to stop finishes what it has in hand and hands back the rest.

The stop reaches a django-q2 worker process as SIGTERM: a supervisor (systemd, the
Procfile's honcho, `make chaos`) signals the whole process group, and `run_workers`
passes its own SIGTERM on to the workers. django-q2's sentinel forks the workers with
SIGTERM at its default action, so a worker used to die where it stood: the order in
hand was cut off mid-step, and the orders it had claimed with it waited for their
lease (STEP_LEASE_SECONDS, 60 s) to run out before another worker could take them.

With `install_stop_handler` (run in each worker as it starts), SIGTERM instead marks
the process as stopping. A step running then (`step_in_hand`) claims no further
batch, finishes the order or the batch transaction in hand, and hands back the
orders it claimed but did not start: their `next_attempt_at` set to now and the step
woken, so a worker elsewhere takes them at once.

Then the worker exits if its cluster's sentinel is gone (it died of the same group
SIGTERM), at once if it had nothing in hand. While the sentinel lives, it is stopping
the cluster in order (run_workers asked it to, and passed the signal on): the worker
stays to take the sentinel's STOP, every task until then a no-op, since a worker
gone early leaves the sentinel's pusher blocked on a full task queue (seen: a cluster
that never stopped)."""

import logging
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

from orders.states import STEP_FOR_STATUS
from orders.waitlist import WAITLIST_WAKE
from orders.wakeups import clear_wake_flag, wake, wake_on_commit

logger = logging.getLogger("bouquet.workers")

_stop_requested = threading.Event()
_steps_in_hand = 0
_sentinel_pid: int | None = None


def stop_requested() -> bool:
    """Whether this process has been told to stop: take no new work."""
    return _stop_requested.is_set()


def install_stop_handler(**_signal_kwargs) -> None:
    """Make SIGTERM ask this process to stop gracefully (a django-q2 `post_spawn`
    receiver: it runs in each worker process as it starts, a child of the sentinel)."""
    global _sentinel_pid
    _sentinel_pid = os.getppid()
    signal.signal(signal.SIGTERM, _on_sigterm)


def _sentinel_gone() -> bool:
    return os.getppid() != _sentinel_pid  # re-parented: the sentinel has died


def _on_sigterm(signum, frame) -> None:
    _stop_requested.set()
    if not _steps_in_hand and _sentinel_gone():
        # Raised rather than dying by the signal: a worker waiting for a task holds
        # the workers' queue lock, which unwinding releases.
        raise SystemExit(0)
    if _steps_in_hand:
        logger.info("told to stop: finishing the work in hand, handing back the rest")


@contextmanager
def step_in_hand() -> Iterator[None]:
    """Run a step that a stop lets finish; once it has, a stopping worker whose
    sentinel is gone exits."""
    global _steps_in_hand
    _steps_in_hand += 1
    try:
        yield
    finally:
        _steps_in_hand -= 1
    if stop_requested() and not _steps_in_hand and _sentinel_gone():
        raise SystemExit(0)


def hand_back(step_name: str, order_ids: Sequence[int]) -> None:
    """End the lease on claimed orders this process will not start, and wake the step
    so another worker takes them now rather than when the lease runs out."""
    if not order_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_order SET next_attempt_at = statement_timestamp() WHERE id = ANY(%s)", [list(order_ids)]
        )
    logger.info("handed back claimed orders on stopping", extra={"step": step_name, "orders": len(order_ids)})
    wake_on_commit(step_name)


def wake_every_step() -> None:
    """Wake every step afresh, for the workers that stay (called once a stopping
    cluster has gone). The wake-up tasks it had taken from the broker and not run went
    with it, and the flags they leave set would keep any new wake-up from being
    enqueued for WAKE_TTL_SECONDS."""
    clear_wake_flag(WAITLIST_WAKE)  # its next wake-up is enqueued at once again
    for step_name in sorted(set(STEP_FOR_STATUS.values())):
        clear_wake_flag(step_name)
        wake(step_name)
