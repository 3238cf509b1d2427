"""The state machine. A transition is a compare-and-set on the current status that
writes its `OrderEvent` in the same statement, so it either happens once, with its
event, or not at all; repeating it is a no-op."""

import logging

from django.db import connection

from orders.exceptions import InvalidTransitionError
from orders.models import Order, OrderStatus

logger = logging.getLogger("bouquet.journey")

S = OrderStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.INVENTORY_RESERVED, S.CANCELLED}),
    S.INVENTORY_RESERVED: frozenset({S.PAYMENT_PENDING, S.CANCELLED}),
    S.PAYMENT_PENDING: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset(),
    S.CANCELLED: frozenset(),
}
CANCELLABLE_STATUSES = frozenset({S.CREATED, S.INVENTORY_RESERVED, S.PAYMENT_PENDING, S.PAID})

_TRANSITION_SQL = """
WITH moved AS (
    UPDATE orders_order
       SET status = %(to)s,
           updated_at = statement_timestamp(),
           attempts = 0,
           next_attempt_at = statement_timestamp(),
           hold = '',
           cancel_reason = CASE WHEN %(to)s = 'CANCELLED' THEN %(reason)s ELSE cancel_reason END,
           cancel_detail = CASE WHEN %(to)s = 'CANCELLED' THEN %(detail)s ELSE cancel_detail END
     WHERE id = %(id)s AND status = %(from)s
 RETURNING id
)
INSERT INTO orders_orderevent (order_id, from_status, to_status, reason, detail, actor, created_at)
SELECT id, %(from)s, %(to)s, %(reason)s, %(detail)s, %(actor)s, statement_timestamp() FROM moved
RETURNING id
"""


def transition(order: Order, to_status: str, *, actor: str = "system", reason: str = "", detail: str = "") -> bool:
    """Move `order` from the status it has in memory to `to_status` if the database
    still agrees, write the event, and return whether it moved. Clears any hold and
    the step bookkeeping. Call inside a transaction."""
    from_status = order.status
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise InvalidTransitionError(f"Order {order.number} cannot go from {from_status} to {to_status}.")
    with connection.cursor() as cursor:
        cursor.execute(
            _TRANSITION_SQL,
            {"id": order.id, "from": from_status, "to": to_status, "reason": reason, "detail": detail[:2000], "actor": actor},
        )
        moved = cursor.fetchone() is not None
    if moved:
        order.status = to_status
        order.hold = ""
        order.attempts = 0
        if to_status == S.CANCELLED:
            order.cancel_reason, order.cancel_detail = reason, detail
        logger.info(
            "order transition",
            extra={"order": order.number, "from": from_status, "to": to_status, "reason": reason, "actor": actor},
        )
    else:
        logger.info(
            "transition skipped: order no longer in expected state",
            extra={"order": order.number, "from": from_status, "to": to_status, "actor": actor},
        )
    return moved


def lock_order(order_id: int) -> Order:
    """Lock the order's row (and nothing it joins) and return it. The journey always
    locks the order before stock, credit, payment or shipment rows."""
    return Order.objects.select_for_update(of=("self",)).select_related("partner").get(id=order_id)
