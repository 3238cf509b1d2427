"""What a journey step does with an order it could not handle: a failed attempt pushes
the order back with exponential backoff, and after the last attempt parks it (hold
`dead_letter`) with a dead-letter row for the back office; Stripe cooling off (the
breaker open, or another worker in the middle of the order's Stripe conversation)
only defers it, spending no attempt. Shared by the per-order path (journey.runner)
and the chained pass (journey.chain), which both count failures under the step whose
work failed."""

import logging

from django.conf import settings
from django.db import transaction

from config.metrics import TRANSITIONS, bind, child
from orders.dead_letters import record_dead_letter
from orders.models import Order
from orders.states import STEP_FOR_STATUS
from orders.transitions import defer_order, set_hold
from payments.exceptions import PaymentGatewayUnavailableError

logger = logging.getLogger("bouquet.journey")

# A step's failures, shown at 0 until they happen; the states a step moves orders to
# are counted where every move is made (orders.transitions).
FAILURE_OUTCOMES = ("retry", "dead_letter", "deferred")
_FAILURES = bind(
    TRANSITIONS,
    [(name, outcome) for name in sorted(set(STEP_FOR_STATUS.values())) for outcome in FAILURE_OUTCOMES],
)


def count_failures_on_commit(step_name: str, outcome: str, orders: int = 1) -> None:
    counter = child(_FAILURES, TRANSITIONS, step_name, outcome)
    transaction.on_commit(lambda: counter.inc(orders), robust=True)


def backoff_seconds(attempts: int) -> float:
    base = settings.BOUQUET["STEP_BACKOFF_BASE_SECONDS"]
    return min(base * 2 ** max(attempts - 1, 0), settings.BOUQUET["STEP_BACKOFF_MAX_SECONDS"])


def record_step_failure(step_name: str, order_id: int, error: BaseException) -> None:
    """Count a failed attempt and push the order back with backoff, or park it in the
    dead-letter table after the last attempt."""
    max_attempts = settings.BOUQUET["STEP_MAX_ATTEMPTS"]
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",)).only("id", "number", "attempts", "status").get(id=order_id)
        )
        order.attempts += 1
        message = f"{type(error).__name__}: {error}"
        if order.attempts >= max_attempts:
            set_hold([order_id], Order.Hold.DEAD_LETTER, attempts=order.attempts)
            record_dead_letter(task=f"journey.{step_name}", order_id=order_id, error=message, attempts=order.attempts)
            count_failures_on_commit(step_name, "dead_letter")
            logger.error(
                "step failed for the last time; order dead-lettered",
                extra={"order": order.number, "step": step_name, "attempts": order.attempts, "error": message},
            )
        else:
            delay = backoff_seconds(order.attempts)
            defer_order(order_id, seconds=delay, attempts=order.attempts)
            count_failures_on_commit(step_name, "retry")
            logger.warning(
                "step failed; will retry",
                extra={
                    "order": order.number,
                    "step": step_name,
                    "attempts": order.attempts,
                    "retry_in_s": delay,
                    "error": message,
                },
            )


def record_failure(step_name: str, order_id: int, error: BaseException) -> None:
    """Defer the order if Stripe is cooling off (no attempt was made), else count a
    failed attempt. If the database itself is failing, the lease runs out and a later
    run retries."""
    try:
        if isinstance(error, PaymentGatewayUnavailableError) and error.retry_after is not None:
            defer_order(order_id, seconds=error.retry_after)
            count_failures_on_commit(step_name, "deferred")
            return
        record_step_failure(step_name, order_id, error)
    except Exception:
        logger.exception("could not record step failure", extra={"order_id": order_id, "step": step_name})
