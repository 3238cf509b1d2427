"""The orders a committed allocation run makes (docs/DESIGN.md section 12): one per
partner and ship-to, source `prebook`, for the campaign's date, priced from the
partner's price list as intake prices, each with the idempotency key
`campaign:<code>:run:<n>:ship-to:<id>`, and reserved in the run's transaction by the
reserve step's own rule (orders.reserving), so they continue their journey from
INVENTORY_RESERVED (on account: credit drawn, or on credit hold holding nothing, as
any order past its headroom). The event feed sees them as any other order."""

import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from config.limits import CENT
from config.metrics import count_orders_made
from fulfillment.calendar import address_calendar, current_calendars
from fulfillment.promise import order_by_moment
from inventory.models import Product
from orders.exceptions import AllocationSupplyChangedError
from orders.idempotency import RESERVED_KEY_PREFIX
from orders.models import Allocation, AllocationRun, IdempotencyRecord, Order, OrderEvent, OrderLine, OrderStatus
from orders.reserving import reserve_created_orders
from orders.transitions import set_hold, transition_many
from orders.waitlist import wake_waitlists_on_commit
from orders.wakeups import wake_on_commit
from partners.models import Partner, ShipToAddress
from partners.pricing import price_for_quantity, price_table

logger = logging.getLogger("bouquet.orders")


def allocation_key(run: AllocationRun, ship_to_id: int) -> str:
    """The order's idempotency key: in a namespace no client may use (orders.idempotency)."""
    return f"{RESERVED_KEY_PREFIX}{run.campaign.code}:run:{run.number}:ship-to:{ship_to_id}"


def _grouped(inputs: dict, granted: dict[int, int]) -> dict[tuple[str, int], list[dict]]:
    """The granted requests by (partner code, ship-to id), in pre-book order."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for request in sorted(inputs["requests"], key=lambda r: r["place"]):
        if granted.get(request["line"]):
            groups.setdefault((request["partner"], request["ship_to"]), []).append(request)
    return groups


def _route_and_order_by(address: ShipToAddress, partner: Partner, calendars, delivery_date):
    calendar = address_calendar(calendars, address.route_id, partner.home_warehouse_id)
    if calendar is None:
        return None, None
    return calendar.id, order_by_moment(calendar, delivery_date)


def _new_order(run, partner, address, requests, granted, products, calendars) -> tuple[Order, list[OrderLine]]:
    """One order of the run with its lines, not yet written (a product pre-booked twice
    by the partner for the address is one line)."""
    quantities: dict[int, int] = defaultdict(int)
    for request in requests:
        quantities[request["product"]] += granted[request["line"]]
    breaks = price_table(partner_id=partner.id, product_ids=list(quantities))
    lines = []
    for line_no, (product_id, quantity) in enumerate(quantities.items(), start=1):
        product = products[product_id]
        unit_price = price_for_quantity(breaks.get(product_id, ()), quantity, product.list_price)
        lines.append(
            OrderLine(
                line_no=line_no,
                product_id=product_id,
                sku=product.sku,
                product_name=product.name,
                quantity=quantity,
                unit_price=unit_price,
                line_total=(unit_price * quantity).quantize(CENT, ROUND_HALF_UP),
            )
        )
    route_id, order_by = _route_and_order_by(address, partner, calendars, run.campaign.delivery_date)
    order = Order(
        partner=partner,
        ship_to=address,
        po_number=f"{run.campaign.code} run {run.number}",
        requested_delivery_date=run.campaign.delivery_date,
        route_id=route_id,
        order_by=order_by,
        source=Order.Source.PREBOOK,
        status=OrderStatus.CREATED,
        total=sum((line.line_total for line in lines), Decimal("0.00")),
    )
    return order, lines


def _write_orders(run: AllocationRun, made: list[tuple[Order, list[OrderLine]]], *, actor: str) -> None:
    """Write the run's orders with their lines, first events and idempotency records:
    four statements however many (the database numbers and stamps each order)."""
    orders = Order.objects.bulk_create([order for order, _ in made])
    for order, lines in made:
        order._state.fields_cache["payment"] = None  # a new order has none: no query to ask
        for line in lines:
            line.order = order
    OrderLine.objects.bulk_create([line for _, lines in made for line in lines])
    OrderEvent.objects.bulk_create(
        [OrderEvent(order=o, partner=o.partner, to_status=OrderStatus.CREATED, actor=actor) for o in orders]
    )
    IdempotencyRecord.objects.bulk_create(
        [
            IdempotencyRecord(
                partner=order.partner,
                key=allocation_key(run, order.ship_to_id),
                fingerprint=f"allocation-run:{run.id}",
                order=order,
                response={"number": order.number, "campaign": run.campaign.code, "run": run.number},
            )
            for order in orders
        ]
    )


def _cancel_past_headroom(held: list[Order]) -> None:
    """Cancel at once the allocation orders of on-account partners past their credit
    headroom (put on hold by the reserve rule, holding nothing): a held order's units
    would stay promised to it while the stock still counted them free, so the next
    run would give them to someone else too. Their units are forfeited, as a declined
    card's, and the waitlist is woken to give them to the next in line."""
    if not held:
        return
    set_hold([order.id for order in held], "")
    for order in held:
        order.hold = ""
    transition_many(
        held,
        OrderStatus.CANCELLED,
        reason="credit_limit",
        details={order.id: f"{order.partner.code} is past its credit headroom for {order.total}." for order in held},
    )
    wake_waitlists_on_commit({line.product_id for order in held for line in order.lines.all()})


def make_allocation_orders(run: AllocationRun, inputs: dict, granted: dict[int, int], *, actor: str) -> list[str]:
    """Make, reserve and record the run's orders; return their numbers. Raise
    AllocationSupplyChangedError (rolling the run back) should the stock not serve
    what the run counted."""
    groups = _grouped(inputs, granted)
    if not groups:
        return []
    partners = {p.code: p for p in Partner.objects.filter(code__in={code for code, _ in groups})}
    addresses = ShipToAddress.objects.in_bulk({ship_to for _, ship_to in groups})
    products = Product.objects.in_bulk({r["product"] for requests in groups.values() for r in requests})
    calendars = current_calendars()
    built = [
        (_new_order(run, partners[code], addresses[ship_to], requests, granted, products, calendars), requests)
        for (code, ship_to), requests in groups.items()
    ]
    _write_orders(run, [order_and_lines for order_and_lines, _ in built], actor=actor)
    made = [(order, requests) for (order, _), requests in built]
    # The strictest freshness rules reserve first, line by line: their lots serve
    # everyone else too, so the others cannot take what only they could use (the run
    # counted supply per rule on that understanding), whichever warehouse each prefers.
    days = {(order.id, r["product"]): r["days"] for order, requests in made for r in requests}
    short = reserve_created_orders(
        [order for order, _ in made],
        parts=lambda order, lines: [(days[(order.id, line.product_id)], [line]) for line in lines],
    )
    if short:
        raise AllocationSupplyChangedError(
            f"Campaign {run.campaign.code}: the stock does not hold what the run counted "
            f"({next(iter(short.values())).message}); check the stock and run it again."
        )
    _cancel_past_headroom([order for order, _ in made if order.hold == Order.Hold.CREDIT])
    Allocation.objects.bulk_create(
        [
            Allocation(run=run, line_id=request["line"], order=order, quantity=granted[request["line"]])
            for order, requests in made
            for request in requests
        ]
    )
    wake_on_commit("pay")
    transaction.on_commit(lambda: count_orders_made("campaign", len(made)), robust=True)
    numbers = [order.number for order, _ in made]
    for order, _ in made:
        logger.info("allocation order made", extra={"order": order.number, "campaign": run.campaign.code})
    return numbers
