"""The reserve step: CREATED -> INVENTORY_RESERVED, or CANCELLED (`out_of_stock`) naming
the SKUs short. `reserve_batch` does a claimed batch in one transaction exactly as
`reserve_one` would order by order."""

import logging
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from inventory.exceptions import OutOfStockError
from inventory.routing import Demand
from inventory.stock import OrderDemands, reserve_stock, reserve_stock_for_orders
from orders.models import Order, OrderLine, OrderStatus
from orders.transitions import lock_order, lock_orders_in_status, transition, transition_many

logger = logging.getLogger("bouquet.journey")


def order_demands(order: Order) -> list[Demand]:
    return [Demand(line.id, line.product_id, line.quantity) for line in order.lines.all()]


def reserve_one(order_id: int) -> None:
    """CREATED -> INVENTORY_RESERVED, or CANCELLED (`out_of_stock`) naming the SKUs short."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != OrderStatus.CREATED:
            return
        try:
            reserve_stock(
                order_id=order.id,
                demands=order_demands(order),
                preferred_warehouse_id=order.partner.home_warehouse_id,
            )
        except OutOfStockError as short:
            transition(order, OrderStatus.CANCELLED, reason="out_of_stock", detail=short.message)
            return
        transition(order, OrderStatus.INVENTORY_RESERVED)


def reserve_batch(order_ids: Sequence[int]) -> list[int]:
    """Do what `reserve_one` does to each order, oldest first, for a whole batch in
    one transaction with a constant number of statements. Orders no longer CREATED
    are skipped, and none is left to the per-order path (the list returned is empty).
    Any error rolls back the whole batch (the caller then falls back to one order at
    a time)."""
    with transaction.atomic():
        orders = [
            order
            for order in lock_orders_in_status(order_ids, OrderStatus.CREATED)
            if order.status == OrderStatus.CREATED
        ]
        if not orders:
            return []
        demands: dict[int, list[Demand]] = defaultdict(list)
        lines = (
            OrderLine.objects.filter(order_id__in=[order.id for order in orders])
            .order_by("order_id", "line_no")
            .values_list("id", "order_id", "product_id", "quantity")
        )
        for line_id, order_id, product_id, quantity in lines:
            demands[order_id].append(Demand(line_id, product_id, quantity))
        short = reserve_stock_for_orders(
            orders=[
                OrderDemands(order.id, tuple(demands[order.id]), order.partner.home_warehouse_id) for order in orders
            ]
        )
        transition_many([order for order in orders if order.id not in short], OrderStatus.INVENTORY_RESERVED)
        transition_many(
            [order for order in orders if order.id in short],
            OrderStatus.CANCELLED,
            reason="out_of_stock",
            details={order_id: error.message for order_id, error in short.items()},
        )
    return []
