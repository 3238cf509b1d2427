"""The reserve step: CREATED -> INVENTORY_RESERVED, or CANCELLED (`out_of_stock`) naming
the SKUs short, or, for an on-account order past its partner's credit headroom, a
credit hold in CREATED that reserves nothing (docs/DESIGN.md section 3, as changed by
issue 14: one buyer's unpaid orders must not lock other partners out of stock).

An on-account order's credit is drawn in the transaction that reserves its stock,
once the stock can serve it and before anything is written, and its payment row
(on account, succeeded) records the draw; the pay step then only moves it to PAID.
An order whose hold the back office released comes back with its credit drawn
already (orders.credit_holds) and is reserved without a second check.

`reserve_batch` does a claimed batch in one transaction exactly as `reserve_one`
would order by order, leaving to it the few orders released from a hold."""

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import transaction

from fulfillment import services as fulfillment
from inventory.exceptions import OutOfStockError
from inventory.routing import Demand
from inventory.stock import reserve_stock, reserve_stock_for_orders
from orders.cancellation import cancel_locked_order
from orders.models import Order, OrderLine, OrderStatus
from orders.transitions import lock_order, lock_orders_in_status, set_hold, transition, transition_many
from partners.credit import CreditDraws, try_draw_credit
from partners.models import CreditAccount, Partner
from payments import services as payments

logger = logging.getLogger("bouquet.journey")


def order_demands(order: Order) -> list[Demand]:
    return [Demand(line.id, line.product_id, line.quantity) for line in order.lines.all()]


def credit_to_draw(order: Order) -> bool:
    """Whether reserving the order must first draw its credit: on account, and not
    drawn yet (a released credit hold drew it). `order` comes with its payment."""
    return order.partner.payment_method == Partner.PaymentMethod.ACCOUNT and getattr(order, "payment", None) is None


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
            hold_for_credit([order], _credit_standing)
            return
        if draw:
            payments.create_payments_on_account(orders=[order], succeeded_order_ids={order.id})
        transition(order, OrderStatus.INVENTORY_RESERVED)


def hold_for_credit(orders: Sequence[Order], standing: Callable[[int], tuple[Decimal, Decimal] | None]) -> None:
    """Put on-account orders past their partners' headroom on credit hold, holding no
    stock and no credit, for the back office to release or cancel (or for the sweeper
    to cancel once HELD_ORDER_RELEASE_AFTER_HOURS have passed). `standing(partner_id)`
    gives the (open balance, credit limit) each decision saw, for the log."""
    set_hold([order.id for order in orders], Order.Hold.CREDIT)
    for order in orders:
        order.hold = Order.Hold.CREDIT
        open_balance, credit_limit = standing(order.partner_id) or (Decimal("0"), Decimal("0"))
        logger.info(
            "order on credit hold",
            extra={
                "order": order.number,
                "open_balance": str(open_balance),
                "credit_limit": str(credit_limit),
                "total": str(order.total),
            },
        )


def _credit_standing(partner_id: int) -> tuple[Decimal, Decimal] | None:
    return CreditAccount.objects.filter(pk=partner_id).values_list("open_balance", "credit_limit").first()


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
        by_id = {order.id: order for order in orders}
        demands: dict[int, list[Demand]] = defaultdict(list)
        lines = (
            OrderLine.objects.filter(order_id__in=list(by_id))
            .order_by("order_id", "line_no")
            .values_list("id", "order_id", "product_id", "quantity")
        )
        for line_id, order_id, product_id, quantity in lines:
            demands[order_id].append(Demand(line_id, product_id, quantity))
        on_account = {order.id for order in orders if credit_to_draw(order)}
        credit = CreditDraws(by_id[order_id].partner_id for order_id in on_account)
        over_headroom: list[int] = []

        def admit(order_id: int) -> bool:
            order = by_id[order_id]
            if order_id not in on_account or credit.try_draw(partner_id=order.partner_id, amount=order.total):
                return True
            over_headroom.append(order_id)
            return False

        short = reserve_stock_for_orders(
            orders=[fulfillment.stock_demands(order, demands[order.id]) for order in orders],
            admit=admit if on_account else None,
        )
        reserved = [order for order in orders if order.id not in short and order.id not in over_headroom]
        credit.save()
        if over_headroom:
            hold_for_credit([by_id[order_id] for order_id in over_headroom], credit.standing)
        payments.create_payments_on_account(
            orders=[order for order in reserved if order.id in on_account],
            succeeded_order_ids=on_account,
        )
        transition_many(reserved, OrderStatus.INVENTORY_RESERVED)
        transition_many(
            [order for order in orders if order.id in short],
            OrderStatus.CANCELLED,
            reason="out_of_stock",
            details={order_id: error.message for order_id, error in short.items()},
        )
    return released
