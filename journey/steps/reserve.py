"""The reserve step: CREATED -> INVENTORY_RESERVED, or CANCELLED (`out_of_stock`) naming
the SKUs short, or, for an on-account order past its partner's credit headroom, a
credit hold in CREATED that reserves nothing (docs/DESIGN.md section 3, as changed by
issue 14: one buyer's unpaid orders must not lock other partners out of stock).

The rule itself, credit and holds included, is orders.reserving's, which a committed
campaign run applies to its orders too. An order whose hold the back office released
comes back with its credit drawn already (orders.credit_holds) and is reserved
without a second check.

`reserve_batch` does a claimed batch in one transaction exactly as `reserve_one`
would order by order, leaving to it the few orders released from a hold."""

from collections.abc import Sequence

from django.db import transaction

from fulfillment import services as fulfillment
from inventory.exceptions import OutOfStockError
from inventory.stock import reserve_stock
from orders.cancellation import cancel_locked_order
from orders.models import OrderStatus
from orders.reserving import credit_standing, credit_to_draw, hold_for_credit, order_demands, reserve_created_orders
from orders.transitions import lock_order, lock_orders_in_status, transition
from partners.credit import try_draw_credit
from payments import services as payments


def reserve_one(order_id: int) -> None:
    """CREATED -> INVENTORY_RESERVED, or CANCELLED (`out_of_stock`) naming the SKUs
    short, or on credit hold (nothing reserved) when on account past the headroom."""
    with transaction.atomic():
        order = lock_order(order_id, with_payment=True)
        if order.status != OrderStatus.CREATED or order.hold:
            return
        draw = credit_to_draw(order)
        try:
            reserved = reserve_stock(
                order=fulfillment.stock_demands(order, order_demands(order)),
                admit=(lambda: try_draw_credit(partner_id=order.partner_id, amount=order.total)) if draw else None,
            )
        except OutOfStockError as short:
            if getattr(order, "payment", None) is None:
                transition(order, OrderStatus.CANCELLED, reason="out_of_stock", detail=short.message)
            else:
                # Released from a credit hold: the credit drawn then goes back.
                cancel_locked_order(order, reason="out_of_stock", detail=short.message)
            return
        if reserved is None:
            hold_for_credit([order], credit_standing)
            return
        if draw:
            payments.create_payments_on_account(orders=[order], succeeded_order_ids={order.id})
        transition(order, OrderStatus.INVENTORY_RESERVED)


def reserve_batch(order_ids: Sequence[int]) -> list[int]:
    """Do what `reserve_one` does to each order, oldest first, for a whole batch in
    one transaction with a constant number of statements. Orders no longer CREATED
    are skipped. Return the ids of the orders left to `reserve_one`: those released
    from a credit hold (rare; a cancel gives their credit back). Any error rolls back
    the whole batch (the caller then falls back to one order at a time)."""
    with transaction.atomic():
        orders = [
            order
            for order in lock_orders_in_status(order_ids, OrderStatus.CREATED, with_payment=True)
            if order.status == OrderStatus.CREATED and not order.hold
        ]
        released = [order.id for order in orders if getattr(order, "payment", None) is not None]
        orders = [order for order in orders if order.id not in released]
        if not orders:
            return released
        reserve_created_orders(orders)
    return released
