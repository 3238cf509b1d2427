"""Running a journey step: the order's state is the queue.

A step claims a batch of orders waiting at its state with `FOR UPDATE SKIP LOCKED`,
leasing them (pushing `next_attempt_at` forward) in the same statement, so other
workers skip them without any lock being held while the orders are handled. A step
that can handles the whole batch in one transaction; otherwise, or when that fails,
each order is handled in its own short transaction by the step's handler. Their
compare-and-set transitions make a repeat, or a second worker after a lease ran out,
harmless. A failure pushes the order back with exponential backoff; after the last
attempt the order is parked (hold `dead_letter`) with a dead-letter row for the back
office."""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection

from config.metrics import STEP_SECONDS, bind
from journey import chain
from journey.failures import record_failure
from journey.steps import finalize, pay, refund, reserve
from journey.stripe_threads import stripe_threads
from journey.worker_stop import hand_back, step_in_hand, stop_requested
from orders.states import WAITING_AT_STEP
from orders.wakeups import clear_wake_flag, hold_wake_flag, wake_on_commit

logger = logging.getLogger("bouquet.journey")


@dataclass(frozen=True)
class Step:
    name: str
    handle: Callable[[int], None]
    # The steps to wake after `handle` moved orders on one by one (a batch handler
    # carries its orders on as far as they go and wakes what it leaves: journey.chain).
    wakes: tuple[str, ...]
    # Handles a whole claimed batch and returns the orders it left to `handle`; any
    # failure falls back to `handle` per order, so failures are still counted per order.
    handle_batch: Callable[[list[int]], Sequence[int]] | None = None
    # `handle` mostly waits on Stripe, not on this machine: run up to STRIPE_CONCURRENCY
    # orders of a batch at once.
    waits_on_stripe: bool = False


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("reserve", reserve.reserve_one, ("pay",), chain.reserve_and_go_on),
        Step("pay", pay.pay_one, ("finalize", "refund"), chain.pay_and_go_on, waits_on_stripe=True),
        Step("finalize", finalize.finalize_one, ("refund",), finalize.finalize_batch),
        Step("refund", refund.refund_one, (), waits_on_stripe=True),
    )
}

# A step's time per batch, shown at 0 until it happens.
_BATCH_SECONDS = bind(STEP_SECONDS, [(name,) for name in STEPS])


def claim_orders(step: Step, *, limit: int) -> list[int]:
    """Lease up to `limit` orders waiting at the step, oldest first, and return their ids."""
    lease = settings.BOUQUET["STEP_LEASE_SECONDS"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE orders_order SET next_attempt_at = statement_timestamp() + make_interval(secs => %s)
             WHERE id IN (
                SELECT o.id FROM orders_order o
                 WHERE {WAITING_AT_STEP[step.name]} AND o.hold = '' AND o.next_attempt_at <= statement_timestamp()
                 ORDER BY o.id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED)
            RETURNING id
            """,
            [lease, limit],
        )
        return sorted(row[0] for row in cursor.fetchall())


def run_one(step: Step, order_id: int) -> None:
    """Handle one claimed order, turning any failure into a retry or a dead letter."""
    try:
        step.handle(order_id)
    except Exception as exc:
        record_failure(step.name, order_id, exc)


def run_batch(step: Step, order_ids: list[int]) -> list[int]:
    """Handle claimed orders together when the step can, else one by one; so too
    the orders the batch left to the per-order path. Return the orders handled one
    by one."""
    started = time.perf_counter()
    if step.handle_batch is not None:
        try:
            order_ids = list(step.handle_batch(order_ids))
        except Exception as exc:
            # One bad order must not hold back the others, and attempts, backoff and
            # dead letters are kept per order: let the per-order path find the culprit.
            logger.warning(
                "batch failed; handling its orders one by one",
                extra={"step": step.name, "orders": len(order_ids), "error": f"{type(exc).__name__}: {exc}"},
            )
    run_each(step, order_ids)
    _BATCH_SECONDS[(step.name,)].observe(time.perf_counter() - started)
    return order_ids


def run_each(step: Step, order_ids: Sequence[int]) -> None:
    """Handle orders one by one, each on its own. A step that waits on Stripe has up
    to STRIPE_CONCURRENCY of them in flight at once, on the process's Stripe threads:
    one worker talking to Stripe an order at a time caps card payments at a few a
    second at Stripe's latency. Inside a transaction (a test, a caller's atomic
    block) they stay in the caller's thread, since another connection could not see
    what the transaction has not committed."""
    threads = settings.BOUQUET["STRIPE_CONCURRENCY"] if step.waits_on_stripe else 1
    if threads <= 1 or len(order_ids) <= 1 or connection.in_atomic_block:
        for index, order_id in enumerate(order_ids):
            if stop_requested():  # the process is stopping: another worker takes the rest now
                hand_back(step.name, order_ids[index:])
                return
            run_one(step, order_id)
        return
    started = list(stripe_threads(threads).map(lambda order_id: _run_one_in_thread(step, order_id), order_ids))
    hand_back(step.name, [order_id for order_id, began in zip(order_ids, started) if not began])


def _run_one_in_thread(step: Step, order_id: int) -> bool:
    """Handle the order unless the process is stopping; return whether it started."""
    if stop_requested():
        return False
    # What a request or a django-q2 task does around its work: drop a connection that
    # broke (a database restart) or outlived CONN_MAX_AGE.
    close_old_connections()
    try:
        run_one(step, order_id)
    finally:
        close_old_connections()
    return True


def run_step(step_name: str, *, time_budget: float | None = None, pace_s: float = 0.0) -> int:
    """Handle orders waiting at the step until none is left or the time budget is
    spent; return how many were handled. If work remains, wake the step again.

    With `pace_s`, the caller holds the step's wake flag (journey.tasks): after a batch
    that was not full it waits that long before claiming again, so orders arriving at a
    steady rate are claimed in batches rather than one by one. Each claim that found
    orders renews the flag and promises a claim `pace_s` later (orders.wakeups), and the
    run keeps that promise: it ends on an empty claim only once the last promise has
    run out, so an order that skipped its wake-up on the promise is always claimed."""
    step = STEPS[step_name]
    budget = settings.BOUQUET["STEP_TIME_BUDGET_SECONDS"] if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    batch_size = settings.BOUQUET["STEP_BATCH_SIZE"]
    handled = 0
    promised_until = 0.0  # time.monotonic: no claim before it may end the run
    with step_in_hand():  # a worker told to stop claims no further batch and exits after this one
        while not stop_requested():
            order_ids = claim_orders(step, limit=batch_size)
            if not order_ids:
                if time.monotonic() >= promised_until:
                    break
                time.sleep(max(0.0, promised_until - time.monotonic()))  # then the promised claim
                continue
            if pace_s:
                hold_wake_flag(step.name, next_claim_in_s=pace_s)
                promised_until = time.monotonic() + pace_s
            if run_batch(step, order_ids):
                wake_on_commit(*step.wakes)
            handled += len(order_ids)
            if time.monotonic() >= deadline:
                if pace_s:
                    # The caller holds the flag: this wake must enqueue. The task it
                    # enqueues first waits `pace_s`, so its claim keeps the promise.
                    clear_wake_flag(step.name)
                wake_on_commit(step.name)
                break
            if pace_s and len(order_ids) < batch_size:
                time.sleep(pace_s)
    return handled


def run_all_steps(*, time_budget: float | None = None) -> dict[str, int]:
    """Run every step once in journey order (the sweeper, tests and `manage.py sweep`)."""
    return {name: run_step(name, time_budget=time_budget) for name in STEPS}
