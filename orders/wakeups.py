"""Coalesced wake-ups: intake at hundreds of orders a second must not put a task per
order on django-q2 (it runs some 40 to 110 a second here). A wake-up enqueues a step's
task only if none is pending (Redis SET NX with an expiry); the task clears the flag
when it starts, so work committed while it runs wakes it again. A lost wake-up (Redis
down, worker killed) only delays work: the sweeper runs every step every minute.
A peak campaign's waitlist is woken the same way (orders.waitlist).

A task draining a step also promises to claim once more after a moment (a key that
expires then): an order committed before that moment is taken by that claim and needs
no wake-up of its own. An API order reads the promise in its first look at
Redis (config/api/first_look.py), so at a steady rate most orders skip the `SET NX`
after their commit, a round trip each (issue 20)."""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task
from django_redis import get_redis_connection

logger = logging.getLogger("bouquet.journey")

STEP_TASK = "journey.tasks.run_step_task"
# A commit this close to the promised claim still wakes the step: the promise is read
# in whole milliseconds, and a claim's snapshot must be taken after the commit.
PROMISE_MARGIN_SECONDS = 0.05


def wake_key(name: str) -> str:
    return f"bouquet:wake:{name}"


def claim_promise_key(name: str) -> str:
    """The key whose expiry is the moment after which the task holding the step's flag
    has promised to claim once more."""
    return f"bouquet:wake:{name}:next-claim"


@dataclass(frozen=True, slots=True)
class ClaimPromise:
    """A draining task's promise as one order read it: a commit before `covers_until`
    (time.monotonic) is seen by the step's next claim."""

    covers_until: float

    def covers(self, moment: float) -> bool:
        return moment < self.covers_until


def claim_promise(milliseconds_left: int | None, *, read_at: float) -> ClaimPromise | None:
    """The promise a key's PTTL of `milliseconds_left` gives, read by a round trip that
    started at `read_at`; None when there is none (-2: no key, -1: not one of ours)."""
    if not isinstance(milliseconds_left, int) or milliseconds_left <= 0:
        return None
    return ClaimPromise(read_at + milliseconds_left / 1000 - PROMISE_MARGIN_SECONDS)


def enqueue_once(name: str, task: str, *args, task_name: str = "") -> bool:
    """Enqueue `task` unless the one flagged `name` is pending already (the task clears
    the flag when it starts: `clear_wake_flag(name)`); return whether it did."""
    key = wake_key(name)
    try:
        redis = get_redis_connection("default")
        if not redis.set(key, "1", nx=True, ex=settings.BOUQUET["WAKE_TTL_SECONDS"]):
            return False
        try:
            async_task(task, *args, task_name=task_name or name)
        except Exception:
            redis.delete(key)
            raise
    except Exception as exc:
        logger.warning("wake-up failed; the sweeper will do the work", extra={"task": name, "error": repr(exc)})
        return False
    logger.info("task enqueued", extra={"task": name})
    return True


def wake(step_name: str) -> bool:
    """Enqueue the step's task unless one is pending already; return whether it did."""
    return enqueue_once(step_name, STEP_TASK, step_name, task_name=f"step:{step_name}")


def wake_on_commit(*step_names: str) -> None:
    """Wake these steps once the current transaction commits (at once outside one)."""
    for step_name in step_names:
        transaction.on_commit(lambda name=step_name: wake(name))


def wake_on_commit_unless_promised(step_name: str, promise: ClaimPromise | None) -> None:
    """Wake the step once the current transaction commits, unless it commits while
    `promise` still covers it: the step's next claim then takes what it wrote."""
    if promise is None:
        wake_on_commit(step_name)
        return
    transaction.on_commit(lambda: promise.covers(time.monotonic()) or wake(step_name))


def hold_wake_flag(name: str, *, next_claim_in_s: float) -> None:
    """Keep the flag set for another WAKE_TTL_SECONDS: the task holding it is still
    taking the step's orders, so wake-ups meanwhile need no task of their own. And
    promise a claim no sooner than `next_claim_in_s` from now: the caller claims once
    more after that before it stops (journey.runner.run_step). One round trip."""
    try:
        pipeline = get_redis_connection("default").pipeline(transaction=False)
        pipeline.set(wake_key(name), "1", ex=settings.BOUQUET["WAKE_TTL_SECONDS"])
        promised_ms = int(next_claim_in_s * 1000)  # rounded down: never later than the claim
        if promised_ms > 0:
            pipeline.set(claim_promise_key(name), "1", px=promised_ms)
        pipeline.execute()
    except Exception as exc:
        logger.warning("could not hold wake flag", extra={"task": name, "error": repr(exc)})


def clear_wake_flag(name: str) -> None:
    try:
        get_redis_connection("default").delete(wake_key(name))
    except Exception as exc:
        logger.warning("could not clear wake flag", extra={"task": name, "error": repr(exc)})
