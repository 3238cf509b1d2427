"""Re-driving an order by hand: make it due for its step now and wake the step."""

import logging

from django.db.models.functions import Now

from orders.models import Order
from orders.states import STEP_FOR_STATUS
from orders.wakeups import wake_on_commit

logger = logging.getLogger("bouquet.orders")


def redrive_order(*, order_id: int, actor: str) -> str | None:
    """Make the order due for its step now (clearing a backoff or a lease) and wake
    the step; return the order's status, or None if there is no such order. Takes no
    lock: a worker handling the order meanwhile is kept apart by the steps' own
    compare-and-set."""
    status = Order.objects.filter(id=order_id).values_list("status", flat=True).first()
    if status is None:
        return None
    Order.objects.filter(id=order_id, hold="").update(next_attempt_at=Now())
    step = STEP_FOR_STATUS.get(status)
    if step:
        wake_on_commit(step)
    logger.info("order re-driven", extra={"order_id": order_id, "actor": actor, "status": status})
    return status
