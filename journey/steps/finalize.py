"""The finalize step: PAID -> CONFIRMED, one shipment per warehouse from the
reservations; re-routes from a warehouse that closed meanwhile, or cancels."""

import logging
from collections.abc import Sequence

from django.db import transaction

from fulfillment import services as fulfillment
from inventory.exceptions import OutOfStockError
from orders.cancellation import cancel_locked_order
from orders.models import Order, OrderStatus
from orders.transitions import lock_order, lock_orders_in_status, transition, transition_many
from orders.wakeups import wake_on_commit

logger = logging.getLogger("bouquet.journey")


def finalize_one(order_id: int) -> None:
    """PAID -> CONFIRMED: one shipment per warehouse from the reservations, re-routing
    away from a warehouse that closed meanwhile, or CANCELLED if none can serve."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != OrderStatus.PAID:
            return
        try:
            fulfillment.reroute_from_closed_warehouses(order=order)
        except OutOfStockError as short:
            cancel_locked_order(
                order,
                reason="warehouse_unavailable",
                detail=f"A reserved warehouse closed and no other can serve: {short.message}",
            )
            wake_on_commit("refund")
            return
        fulfillment.create_shipments(order=order)
        transition(order, OrderStatus.CONFIRMED)


def finalize_batch(order_ids: Sequence[int]) -> list[int]:
    """Do what `finalize_one` does to each order, oldest first, for a whole batch in
    one transaction with a constant number of statements; orders no longer PAID are
    skipped. Return the ids of orders holding a reservation in a warehouse that closed
    meanwhile, left untouched for `finalize_one`: re-routing is rare, and one at a
    time it keeps its own attempts and backoff. Any error rolls back the whole batch
    (the caller then falls back to one order at a time)."""
    with transaction.atomic():
        orders = [
            order for order in lock_orders_in_status(order_ids, OrderStatus.PAID) if order.status == OrderStatus.PAID
        ]
        closed = finalize_locked_orders(orders)
    return sorted(closed)


def finalize_locked_orders(orders: Sequence[Order]) -> set[int]:
    """PAID -> CONFIRMED with their shipments for orders the caller has locked, in
    three statements for the lot (none for none), inside the caller's transaction;
    return the ids of those left PAID because a warehouse holding their reservation
    has closed (for `finalize_one`)."""
    if not orders:
        return set()
    closed = fulfillment.create_shipments_for_orders(order_ids=[order.id for order in orders])
    transition_many([order for order in orders if order.id not in closed], OrderStatus.CONFIRMED)
    return closed
