"""Reserving orders waiting in CREATED: the rule the reserve step applies to a batch
(journey.steps.reserve) and a committed campaign run applies to the orders it makes
(orders.campaign_runs), so both reserve, draw credit and hold alike.

An on-account order's credit is drawn in the transaction that reserves its stock,
once the stock can serve it and before anything is written, and its payment row
(on account, succeeded) records the draw; the pay step then only moves it to PAID.
Past its partner's headroom it goes on credit hold in CREATED and reserves nothing
(docs/DESIGN.md section 3, as changed by issue 14: one buyer's unpaid orders must not
lock other partners out of stock)."""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from fulfillment import services as fulfillment
from inventory.exceptions import OutOfStockError
from inventory.routing import Demand
from inventory.stock import reserve_stock_for_orders
from orders.models import Order, OrderLine, OrderStatus
from orders.transitions import set_hold, transition_many
from partners.credit import CreditDraws
from partners.models import CreditAccount, Partner
from payments import services as payments

logger = logging.getLogger("bouquet.journey")


def order_demands(order: Order) -> list[Demand]:
    return [Demand(line.id, line.product_id, line.quantity) for line in order.lines.all()]


def credit_to_draw(order: Order) -> bool:
    """Whether reserving the order must first draw its credit: on account, and not
    drawn yet (a released credit hold drew it). `order` comes with its payment."""
    return order.partner.payment_method == Partner.PaymentMethod.ACCOUNT and getattr(order, "payment", None) is None


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


def credit_standing(partner_id: int) -> tuple[Decimal, Decimal] | None:
    return CreditAccount.objects.filter(pk=partner_id).values_list("open_balance", "credit_limit").first()


def reserve_created_orders(
    orders: Sequence[Order], *, parts: Callable[[Order, list[Demand]], Iterable[tuple[int, list[Demand]]]] | None = None
) -> dict[int, OutOfStockError]:
    """Reserve orders in CREATED, not held and without a credit draw yet, locked by the
    caller and oldest first, in one go with a constant number of statements: each
    reserved one moves to INVENTORY_RESERVED (on account: its credit drawn and
    recorded), each past its partner's headroom goes on credit hold, and each the
    stock cannot serve is cancelled `out_of_stock`. Return the errors of those.

    `parts(order, lines)`, when given, splits each order's lines into (rank, lines)
    parts, and the parts of every order are reserved highest rank first (a campaign's
    commit: the strictest freshness rule first, line by line). An order is then no
    longer reserved all or nothing: its caller must refuse any short order."""
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
    admitted: dict[int, bool] = {}  # asked once per order, however many parts it has

    def admit(order_id: int) -> bool:
        if order_id not in admitted:
            order = by_id[order_id]
            admitted[order_id] = order_id not in on_account or credit.try_draw(
                partner_id=order.partner_id, amount=order.total
            )
            if not admitted[order_id]:
                over_headroom.append(order_id)
        return admitted[order_id]

    if parts is None:
        stock_orders = [fulfillment.stock_demands(order, demands[order.id]) for order in orders]
    else:
        ranked = [(rank, order, lines) for order in orders for rank, lines in parts(order, demands[order.id])]
        ranked.sort(key=lambda part: -part[0])  # stable: oldest first within a rank
        stock_orders = [fulfillment.stock_demands(order, lines) for _, order, lines in ranked]
    short = reserve_stock_for_orders(orders=stock_orders, admit=admit if on_account else None)
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
    return short
