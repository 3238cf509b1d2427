"""The order as intake answers it, and as a replay of its idempotency key answers it
again: the same fields, in the same form, as the API's order detail. The answer is
stored with the key (orders.intake writes it in the same statement as the order), so
answers stored by older code are brought to today's shape when replayed."""

from collections.abc import Sequence

from config.moments import utc_text
from orders.delivery import PromisedDelivery, order_by_on_warehouse_clock
from orders.intake_cache import ADDRESS_FIELDS
from orders.models import Order, OrderLine


def order_snapshot(
    order: Order, lines: Sequence[OrderLine], ship_to: dict | None, delivery: PromisedDelivery | None
) -> dict:
    """The order as intake answers it (and as a replay answers it again): the same
    fields, in the same form, as the API's order detail, `ship_to` the address
    (id, label, line1, postcode, city, country) or None, `route` its code and
    `order_by` the order-by moment on the warehouse's clock, with its offset."""
    return {
        "number": order.number,
        "status": str(order.status),
        "partner": order.partner.code,
        "po_number": order.po_number,
        "requested_delivery_date": order.requested_delivery_date.isoformat() if order.requested_delivery_date else None,
        "ship_to": ship_to,
        "route": delivery.route.code if delivery else None,
        "order_by": delivery.option.order_by.isoformat() if delivery else None,
        "currency": order.currency,
        "total": str(order.total),
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.sku,
                "name": line.product_name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in lines
        ],
        # The intake statement writes the stored answer's moment in the same form (_WRITE_ORDER_SQL).
        "created_at": utc_text(order.created_at) if order.created_at else None,
    }


def in_current_shape(snapshot: dict, order: Order) -> dict:
    """A stored answer as intake answers today. Answers stored before the address, the
    "Z" and the delivery promise came in (kept IDEMPOTENCY_KEY_TTL_HOURS) hold the
    address's id, a "+00:00" and no route; reading what they lack costs queries on
    those replays only."""
    if isinstance(snapshot.get("ship_to"), int):
        address = order.ship_to
        snapshot = {**snapshot, "ship_to": None if address is None else address_snapshot(address)}
    if "route" not in snapshot:
        snapshot = {**snapshot, **delivery_snapshot(order)}
    created_at = snapshot.get("created_at")
    if isinstance(created_at, str) and created_at.endswith("+00:00"):
        snapshot = {**snapshot, "created_at": created_at.removesuffix("+00:00") + "Z"}
    return snapshot


def delivery_snapshot(order: Order) -> dict:
    """The order's route and order-by moment as the API shows them: the code, and the
    moment on the route's warehouse clock with its offset (None on orders placed
    before the delivery promise)."""
    moment = order_by_on_warehouse_clock(order)
    return (
        {"route": None, "order_by": None}
        if moment is None
        else {"route": order.route.code, "order_by": moment.isoformat()}
    )


def address_snapshot(address) -> dict:
    """A ship-to address as the API shows it."""
    return {field: getattr(address, field) for field in ADDRESS_FIELDS}
