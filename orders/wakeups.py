"""Coalesced wake-ups: intake at hundreds of orders a second must not put a task per
order on django-q2 (it runs some 40 to 110 a second here). A wake-up enqueues a step's
task only if none is pending (Redis SET NX with an expiry); the task clears the flag
when it starts, so work committed while it runs wakes it again. A lost wake-up (Redis
down, worker killed) only delays work: the sweeper runs every step every minute.
A peak campaign's waitlist is woken the same way (orders.waitlist)."""

import logging

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task
from django_redis import get_redis_connection

logger = logging.getLogger("bouquet.journey")

STEP_TASK = "journey.tasks.run_step_task"


def wake_key(name: str) -> str:
    return f"bouquet:wake:{name}"


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


def hold_wake_flag(name: str) -> None:
    """Keep the flag set for another WAKE_TTL_SECONDS: the task holding it is still
    taking the step's orders, so wake-ups meanwhile need no task of their own."""
    try:
        get_redis_connection("default").set(wake_key(name), "1", ex=settings.BOUQUET["WAKE_TTL_SECONDS"])
    except Exception as exc:
        logger.warning("could not hold wake flag", extra={"task": name, "error": repr(exc)})


def clear_wake_flag(name: str) -> None:
    try:
        get_redis_connection("default").delete(wake_key(name))
    except Exception as exc:
        logger.warning("could not clear wake flag", extra={"task": name, "error": repr(exc)})
