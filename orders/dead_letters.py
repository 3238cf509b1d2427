"""Dead letters: an order whose step failed its last attempt is parked (hold
`dead_letter`) with a row here for the back office, which retries it (a fresh set of
attempts) or marks it handled by hand."""

import logging

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from orders.models import DeadLetter, Order
from orders.states import STEP_FOR_STATUS
from orders.transitions import lock_order, set_hold
from orders.wakeups import wake_on_commit

logger = logging.getLogger("bouquet.orders")


def retry_dead_letter(*, dead_letter_id: int, actor: str) -> DeadLetter:
    """Give a dead-lettered order a fresh set of attempts and wake its step."""
    with transaction.atomic():
        dead_letter = DeadLetter.objects.select_for_update().get(id=dead_letter_id)
        if dead_letter.status != DeadLetter.Status.OPEN:
            return dead_letter
        if dead_letter.order_id is not None:
            order = lock_order(dead_letter.order_id)
            if order.hold == Order.Hold.DEAD_LETTER:
                set_hold([order.id], "", attempts=0, next_attempt_at=Now())
            step = STEP_FOR_STATUS.get(order.status)
            if step:
                wake_on_commit(step)
        dead_letter.status = DeadLetter.Status.RETRIED
        dead_letter.resolved_at = timezone.now()
        dead_letter.resolved_by = actor
        dead_letter.save(update_fields=["status", "resolved_at", "resolved_by"])
    logger.info(
        "dead letter retried", extra={"dead_letter": dead_letter.id, "order_id": dead_letter.order_id, "actor": actor}
    )
    return dead_letter


def resolve_dead_letter(*, dead_letter_id: int, actor: str) -> DeadLetter:
    """Mark a dead letter handled by hand (the order stays where it is)."""
    with transaction.atomic():
        dead_letter = DeadLetter.objects.select_for_update().get(id=dead_letter_id)
        if dead_letter.status == DeadLetter.Status.OPEN:
            dead_letter.status = DeadLetter.Status.RESOLVED
            dead_letter.resolved_at = timezone.now()
            dead_letter.resolved_by = actor
            dead_letter.save(update_fields=["status", "resolved_at", "resolved_by"])
    return dead_letter


def record_dead_letter(*, task: str, order_id: int | None, error: str, attempts: int) -> DeadLetter:
    """Park a failed step's last error for the back office."""
    return DeadLetter.objects.create(task=task, order_id=order_id, error=error[:5000], attempts=attempts)


def count_open_dead_letters() -> int:
    """Return how many dead letters wait for the back office (an index scan of the open ones)."""
    return DeadLetter.objects.filter(status=DeadLetter.Status.OPEN).count()
