"""The state machine. A transition is a compare-and-set on the current status that
writes its `OrderEvent` in the same statement, so it either happens once, with its
event, or not at all; repeating it is a no-op.

The statuses are cast to text wherever they appear: parameters are bound at the server
(config/database_settings.py), where one parameter compared with a literal (text) and
assigned to the varchar column would be given two types."""

import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    if getattr(_folds, "fold", None) is not None:
        return bool(transition_many([order], to_status, actor=actor, reason=reason, details={order.id: detail}))
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


# Every order of `d` moves from its `from_status` to its `to_status` as one row
# version, and gets an event for each hop `h` it took on the way (`folded_moves`).
_MOVES_SQL = """
WITH d AS (
    SELECT (e->>0)::bigint AS id, e->>1 AS from_status, e->>2 AS to_status, e->>3 AS reason, e->>4 AS detail,
           (e->>5)::float8 AS due_in
      FROM json_array_elements(%(orders)s::json) AS e
), moved AS (
    UPDATE orders_order o
       SET status = d.to_status,
           updated_at = statement_timestamp(),
           attempts = 0,
           next_attempt_at = statement_timestamp() + make_interval(secs => d.due_in),
           hold = '',
           held_since = NULL,
           cancel_reason = CASE WHEN d.to_status = 'CANCELLED' THEN d.reason ELSE o.cancel_reason END,
           cancel_detail = CASE WHEN d.to_status = 'CANCELLED' THEN d.detail ELSE o.cancel_detail END
      FROM d
     WHERE o.id = d.id AND o.status = d.from_status
 RETURNING o.id, o.partner_id
), h AS (
    SELECT (e->>0)::bigint AS order_id, e->>1 AS from_status, e->>2 AS to_status, e->>3 AS reason, e->>4 AS detail,
           e->>5 AS actor, n AS seq
      FROM json_array_elements(%(hops)s::json) WITH ORDINALITY AS hop(e, n)
)
INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor, created_at)
SELECT m.id, m.partner_id, h.from_status, h.to_status, h.reason, h.detail, h.actor, statement_timestamp()
  FROM moved m JOIN h ON h.order_id = m.id
 ORDER BY h.seq
RETURNING order_id
"""


@dataclass
class Hop:
    """One call's move of some orders, all from one status to another."""

    orders: Sequence[Order]
    from_status: str
    to_status: str
    reason: str
    actor: str
    details: Mapping[int, str]
    due_in: float


def write_hops(hops: Sequence[Hop]) -> set[int]:
    """Write the hops in one statement: each order's row once, from the status it had
    before its first hop to the one after its last (a compare-and-set on the first),
    and an event for every hop. Return the ids of the orders that moved."""
    first: dict[int, Hop] = {}
    last: dict[int, Hop] = {}
    events = []
    for hop in hops:
        for order in hop.orders:
            first.setdefault(order.id, hop)
            last[order.id] = hop
            events.append((order.id, hop.from_status, hop.to_status, hop.reason, _detail(hop, order.id), hop.actor))
    if not first:
        return set()
    rows = [
        (order_id, hop.from_status, last[order_id].to_status, last[order_id].reason, _detail(last[order_id], order_id),
         last[order_id].due_in)
        for order_id, hop in first.items()
    ]  # fmt: skip
    with connection.cursor() as cursor:
        # As JSON, one parameter each: arrays are dumped an element at a time in Python.
        cursor.execute(_MOVES_SQL, {"orders": json.dumps(rows), "hops": json.dumps(events)})
        return {row[0] for row in cursor.fetchall()}


def _detail(hop: Hop, order_id: int) -> str:
    return hop.details.get(order_id, "")[:2000]


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
    long (a lease: the caller goes on with them itself). Call inside a transaction.
    Inside `folded_moves` the move is written with the fold's others when the fold
    ends, and every order is returned (they are locked)."""
    if not orders:
        return []
    from_status = orders[0].status
    if any(order.status != from_status for order in orders) or to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise InvalidTransitionError(
            f"{len(orders)} orders from {orders[0].number} on cannot all go from {from_status} to {to_status}."
        )
    hop = Hop(list(orders), from_status, to_status, reason, actor, details or {}, due_in)
    fold = getattr(_folds, "fold", None)
    if fold is not None:
        fold.add(hop)
        moved = list(orders)
    else:
        moved_ids = write_hops([hop])
        moved = [order for order in orders if order.id in moved_ids]
        hop_written(hop, moved_ids)
    for order in moved:
        _moved_in_memory(order, to_status, reason=reason, detail=hop.details.get(order.id, ""))
    return moved


def hop_written(hop: Hop, moved_ids: set[int]) -> None:
    """Log the hop's moves and count them once the transaction commits."""
    _log_batch_transition(hop.orders, moved_ids, hop.from_status, hop.to_status, reason=hop.reason, actor=hop.actor)
    moved = [order for order in hop.orders if order.id in moved_ids]
    if moved:
        _count_on_commit(hop.from_status, hop.to_status, moved)


class FoldedMoveLostError(RuntimeError):
    """An order of a fold was not where the fold's first move of it expected: nothing
    the fold assumed of it holds, so its transaction must roll back."""


@dataclass
class Fold:
    hops: list[Hop] = field(default_factory=list)

    def add(self, hop: Hop) -> None:
        self.hops.append(hop)

    def write(self) -> None:
        hops, self.hops = self.hops, []
        if not hops:
            return
        moved_ids = write_hops(hops)
        lost = sorted({order.number for hop in hops for order in hop.orders if order.id not in moved_ids})
        if lost:
            raise FoldedMoveLostError(f"Orders {', '.join(lost)} were not in the status the fold moved them from.")
        for hop in hops:
            hop_written(hop, moved_ids)


_folds = threading.local()


@contextmanager
def folded_moves() -> Iterator[None]:
    """Write every move of orders made inside as one row version an order, when the
    block ends: an on-account order that goes from CREATED to CONFIRMED in one batch
    is written once, with its four events, instead of four times (each version of an
    order's row is an entry in each of its indexes). Only for orders this transaction
    has locked: a move is then sure to hold, and no one else sees the statuses in
    between. Use inside the transaction, around work that reads no order's status from
    the database; holds and deferrals write the moves so far first (`_write_folded`).
    On an exception nothing is written: the transaction is rolling back."""
    if getattr(_folds, "fold", None) is not None:
        yield  # already inside one
        return
    _folds.fold = fold = Fold()
    try:
        yield
        _folds.fold = None
        fold.write()
    finally:
        _folds.fold = None


def _write_folded() -> None:
    """Write the moves folded so far, before a statement that must come after them."""
    fold = getattr(_folds, "fold", None)
    if fold is not None:
        fold.write()


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
    _write_folded()
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
    _write_folded()
    Order.objects.filter(id=order_id).update(next_attempt_at=timezone.now() + timedelta(seconds=seconds), **fields)
