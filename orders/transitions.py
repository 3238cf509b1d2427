"""The state machine. A transition is a compare-and-set on the current status that
writes its `OrderEvent` in the same statement, so it either happens once, with its
event, or not at all; repeating it is a no-op.

The statuses are cast to text wherever they appear: parameters are bound at the server
(config/database_settings.py), where one parameter compared with a literal (text) and
assigned to the varchar column would be given two types."""

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import DateTimeField, Func
from django.utils import timezone

from config.metrics import ACCEPTED_TO_CONFIRMED_SECONDS, TRANSITIONS, bind, child
from orders.exceptions import InvalidTransitionError
from orders.models import Order, OrderStatus
from orders.states import ALLOWED_TRANSITIONS, STEP_FOR_STATUS

logger = logging.getLogger("bouquet.journey")

_TRANSITION_SQL = """
WITH moved AS (
    UPDATE orders_order
       SET status = %(to)s::text,
           updated_at = statement_timestamp(),
           attempts = 0,
           next_attempt_at = statement_timestamp(),
           hold = '',
           held_since = NULL,
           cancel_reason = CASE WHEN %(to)s::text = 'CANCELLED' THEN %(reason)s ELSE cancel_reason END,
           cancel_detail = CASE WHEN %(to)s::text = 'CANCELLED' THEN %(detail)s ELSE cancel_detail END
     WHERE id = %(id)s AND status = %(from)s::text
 RETURNING id, partner_id
)
INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor, created_at)
SELECT id, partner_id, %(from)s::text, %(to)s::text, %(reason)s, %(detail)s, %(actor)s, statement_timestamp() FROM moved
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
            {
                "id": order.id,
                "from": from_status,
                "to": to_status,
                "reason": reason,
                "detail": detail[:2000],
                "actor": actor,
            },
        )
        moved = cursor.fetchone() is not None
    if moved:
        _moved_in_memory(order, to_status, reason=reason, detail=detail)
        _count_on_commit(from_status, to_status, [order])
    _log_transition(order, from_status, to_status, moved=moved, reason=reason, actor=actor)
    return moved


_TRANSITION_MANY_SQL = """
WITH moved AS (
    UPDATE orders_order o
       SET status = %(to)s::text,
           updated_at = statement_timestamp(),
           attempts = 0,
           next_attempt_at = statement_timestamp() + make_interval(secs => %(due_in)s),
           hold = '',
           held_since = NULL,
           cancel_reason = CASE WHEN %(to)s::text = 'CANCELLED' THEN %(reason)s ELSE o.cancel_reason END,
           cancel_detail = CASE WHEN %(to)s::text = 'CANCELLED' THEN d.detail ELSE o.cancel_detail END
      FROM unnest(%(ids)s::bigint[], %(details)s::text[]) AS d(id, detail)
     WHERE o.id = d.id AND o.status = %(from)s::text
 RETURNING o.id, o.partner_id, d.detail
)
INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor, created_at)
SELECT id, partner_id, %(from)s::text, %(to)s::text, %(reason)s, detail, %(actor)s, statement_timestamp()
  FROM moved ORDER BY id
RETURNING order_id
"""


def transition_many(
    orders: Sequence[Order],
    to_status: str,
    *,
    actor: str = "system",
    reason: str = "",
    details: Mapping[int, str] | None = None,
    due_in: float = 0,
) -> list[Order]:
    """Move orders that all have the same status in memory to `to_status` in one
    statement, as `transition` would one by one (`details` by order id), and return
    those that moved. `due_in` seconds keeps them from the next step's claim for as
    long (a lease: the caller goes on with them itself). Call inside a transaction."""
    if not orders:
        return []
    from_status = orders[0].status
    if any(order.status != from_status for order in orders) or to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise InvalidTransitionError(
            f"{len(orders)} orders from {orders[0].number} on cannot all go from {from_status} to {to_status}."
        )
    details = details or {}
    with connection.cursor() as cursor:
        cursor.execute(
            _TRANSITION_MANY_SQL,
            {
                "ids": [o.id for o in orders],
                "details": [details.get(o.id, "")[:2000] for o in orders],
                "from": from_status,
                "to": to_status,
                "reason": reason,
                "actor": actor,
                "due_in": due_in,
            },
        )
        moved_ids = {row[0] for row in cursor.fetchall()}
    moved = []
    for order in orders:
        if order.id in moved_ids:
            _moved_in_memory(order, to_status, reason=reason, detail=details.get(order.id, ""))
            moved.append(order)
    _log_batch_transition(orders, moved_ids, from_status, to_status, reason=reason, actor=actor)
    if moved:
        _count_on_commit(from_status, to_status, moved)
    return moved


def _log_batch_transition(
    orders: Sequence[Order], moved_ids: set[int], from_status: str, to_status: str, *, reason: str, actor: str
) -> None:
    """One log record for the batch's move, with its orders' numbers: a record per order
    and move was 7% of the journey's CPU (issue 20); the events table has each order."""
    numbers = [order.number for order in orders if order.id in moved_ids]
    skipped = [order.number for order in orders if order.id not in moved_ids]
    extra = {"from": from_status, "to": to_status, "reason": reason, "actor": actor}
    if numbers:
        logger.info("orders transition", extra={**extra, "orders": numbers, "count": len(numbers)})
    if skipped:
        logger.info("transition skipped: orders no longer in expected state", extra={**extra, "orders": skipped})


def _step_left(from_status: str) -> str:
    # CONFIRMED waits for the warehouse's dispatch, which no journey step does.
    return STEP_FOR_STATUS.get(from_status, "dispatch")


# Every move the state machine allows, shown at 0 until it happens.
_MOVES = bind(TRANSITIONS, {(_step_left(old), new) for old, news in ALLOWED_TRANSITIONS.items() for new in news})


def _count_on_commit(from_status: str, to_status: str, orders: Sequence[Order]) -> None:
    """Count the moves once the transaction commits (a rolled-back batch moved
    nothing), and each CONFIRMED order's time since its acceptance."""
    counter = child(_MOVES, TRANSITIONS, _step_left(from_status), to_status)
    # From the row as it was read: an order read without created_at is not confirmed
    # by the journey, and asking for the field would cost a query per order.
    accepted = [order.__dict__.get("created_at") for order in orders] if to_status == OrderStatus.CONFIRMED else []
    transaction.on_commit(lambda: _count_moves(counter, len(orders), accepted), robust=True)


def _count_moves(counter, moves: int, accepted: list) -> None:
    counter.inc(moves)
    now = time.time()
    for moment in accepted:
        if moment is not None:
            ACCEPTED_TO_CONFIRMED_SECONDS.observe(now - moment.timestamp())


def _moved_in_memory(order: Order, to_status: str, *, reason: str, detail: str) -> None:
    order.status = to_status
    order.hold = ""
    order.held_since = None
    order.attempts = 0
    if to_status == OrderStatus.CANCELLED:
        order.cancel_reason, order.cancel_detail = reason, detail


def _log_transition(order: Order, from_status: str, to_status: str, *, moved: bool, reason: str, actor: str) -> None:
    if moved:
        logger.info(
            "order transition",
            extra={"order": order.number, "from": from_status, "to": to_status, "reason": reason, "actor": actor},
        )
    else:
        logger.info(
            "transition skipped: order no longer in expected state",
            extra={"order": order.number, "from": from_status, "to": to_status, "actor": actor},
        )


class StatementTimestamp(Func):
    """PostgreSQL's statement_timestamp(): the `updated_at` of every change to an
    order, as in the transition statements above, so that the sync watermark
    (orders.selectors.sync_watermark) holds for it."""

    template = "statement_timestamp()"
    output_field = DateTimeField()


def set_hold(order_ids: Sequence[int], hold: str, **fields) -> int:
    """Put orders on `hold` (or take them off it with ""), with any other bookkeeping
    `fields`, and stamp the change: the hold is part of what an ERP syncs, so it must
    show up in `updated_since`. `held_since` records when the hold began."""
    return Order.objects.filter(id__in=order_ids).update(
        hold=hold, held_since=StatementTimestamp() if hold else None, updated_at=StatementTimestamp(), **fields
    )


def _joined(with_payment: bool) -> tuple[str, ...]:
    # The payment is read with the order (not locked: `payments.services.lock_payment`
    # locks it) where a step must know whether credit was drawn already.
    return ("partner", "payment") if with_payment else ("partner",)


def lock_order(order_id: int, *, with_payment: bool = False) -> Order:
    """Lock the order's row (and nothing it joins) and return it with its partner (and
    its payment, or None, when asked). The journey always locks the order before
    stock, credit, payment or shipment rows."""
    return Order.objects.select_for_update(of=("self",)).select_related(*_joined(with_payment)).get(id=order_id)


def lock_orders_in_status(order_ids: Sequence[int], *statuses: str, with_payment: bool = False) -> list[Order]:
    """Lock those of the orders still in one of `statuses`, in id order (so two batches
    that overlap wait for each other instead of deadlocking), and return them with
    their partners (and payments, when asked). Orders that left them while this waited
    for their lock are left out."""
    return list(
        Order.objects.select_for_update(of=("self",))
        .select_related(*_joined(with_payment))
        .filter(id__in=order_ids, status__in=statuses)
        .order_by("id")
    )


def defer_order(order_id: int, *, seconds: float, **fields) -> None:
    """Let the order wait `seconds` before a step claims it again, with any other
    bookkeeping `fields` (a failed attempt counts itself; Stripe cooling off or a
    PaymentIntent still processing does not)."""
    Order.objects.filter(id=order_id).update(next_attempt_at=timezone.now() + timedelta(seconds=seconds), **fields)
