"""Shipments: made from an order's reservations, one per warehouse, after re-routing
away from warehouses that closed since the stock was reserved; and dispatch."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models.functions import Now

from config.row_inserts import insert_rows
from fulfillment.models import Shipment, ShipmentLine
from inventory.models import Reservation, Warehouse
from inventory.routing import Demand
from inventory.stock import OrderDemands, release_reservations, reserve_stock


def stock_demands(order, demands: Sequence[Demand]) -> OrderDemands:
    """What an order asks of stock: these lines of it, from its partner's home
    warehouse first, in lots that can serve its delivery date under the partner's
    freshness rule (docs/DESIGN.md section 11). `order` comes with its partner."""
    return OrderDemands(
        order.id,
        tuple(demands),
        order.partner.home_warehouse_id,
        delivery_date=order.requested_delivery_date,
        partner_days=order.partner.min_days_at_delivery,
    )


def reroute_from_closed_warehouses(*, order) -> list[int]:
    """Move the order's reservations off warehouses that are closed now, to open ones
    by the routing rule and to lots fit for its date (inventory.lots); return the
    closed warehouse ids it moved away from. Raise OutOfStockError (with the closed
    reservations released) when none can serve. Call inside the finalize transaction, holding the order's lock."""
    reserved_in = set(
        Reservation.objects.filter(order_id=order.id, status=Reservation.Status.ACTIVE).values_list(
            "warehouse_id", flat=True
        )
    )
    closed = list(Warehouse.objects.filter(id__in=reserved_in, is_open=False).values_list("id", flat=True))
    if not closed:
        return []
    released = release_reservations(order_id=order.id, warehouse_ids=closed, note="warehouse closed; re-routing")
    per_line: dict[tuple[int, int], int] = defaultdict(int)
    for reservation in released:
        per_line[(reservation.order_line_id, reservation.product_id)] += reservation.quantity
    reserve_stock(
        order=stock_demands(
            order, [Demand(line_id, product_id, quantity) for (line_id, product_id), quantity in per_line.items()]
        ),
        exclude_warehouse_ids=closed,
        actor="reroute",
    )
    return closed


def create_shipments(*, order) -> None:
    """One shipment per warehouse holding the order's active reservations."""
    reservations = Reservation.objects.filter(order_id=order.id, status=Reservation.Status.ACTIVE).order_by("id")
    lines_by_shipment: dict[tuple[int, int], list[tuple[int, int, int, str, int]]] = defaultdict(list)
    for r in reservations.values_list("id", "order_line_id", "product_id", "lot", "warehouse_id", "quantity"):
        reservation_id, line_id, product_id, lot, warehouse_id, quantity = r
        lines_by_shipment[(order.id, warehouse_id)].append((reservation_id, line_id, product_id, lot, quantity))
    _write_shipments(sorted(lines_by_shipment), lines_by_shipment)


def create_shipments_for_orders(*, order_ids: Sequence[int]) -> set[int]:
    """Make for each order, in id order, the shipments and lines `create_shipments`
    would, with three statements for the lot; but leave out, untouched, every order
    holding a reservation in a warehouse that is closed now, and return their ids (they
    must go through `reroute_from_closed_warehouses` first). Call holding the orders'
    locks."""
    reservations = (
        Reservation.objects.filter(order_id__in=order_ids, status=Reservation.Status.ACTIVE)
        .order_by("order_id", "id")
        .values_list(
            "id", "order_id", "order_line_id", "product_id", "lot", "warehouse_id", "quantity", "warehouse__is_open"
        )
    )
    lines_by_shipment: dict[tuple[int, int], list[tuple[int, int, int, str, int]]] = defaultdict(list)
    closed_order_ids: set[int] = set()
    for reservation_id, order_id, line_id, product_id, lot, warehouse_id, quantity, is_open in reservations:
        lines_by_shipment[(order_id, warehouse_id)].append((reservation_id, line_id, product_id, lot, quantity))
        if not is_open:
            closed_order_ids.add(order_id)
    # Sorted by (order, warehouse), ids come out as the per-order path would hand them out.
    keys = sorted(key for key in lines_by_shipment if key[0] not in closed_order_ids)
    _write_shipments(keys, lines_by_shipment)
    return closed_order_ids


def _write_shipments(
    keys: list[tuple[int, int]], lines_by_shipment: dict[tuple[int, int], list[tuple[int, int, int, str, int]]]
) -> None:
    """A shipment for each (order, warehouse) of `keys`, in that order, with its lines
    (reservation id, order line id, product id, lot, quantity): two statements."""
    shipment_ids = insert_rows(Shipment, ("order_id", "warehouse_id"), keys)
    insert_rows(
        ShipmentLine,
        ("shipment_id", "reservation_id", "order_line_id", "product_id", "lot", "quantity"),
        (
            (shipment_id, *line)
            for (shipment_id,), key in zip(shipment_ids, keys, strict=True)
            for line in lines_by_shipment[key]
        ),
        returning=(),
    )


def lock_shipment(*, shipment_id: int) -> Shipment | None:
    return Shipment.objects.select_for_update(of=("self",)).select_related("warehouse").filter(id=shipment_id).first()


def mark_dispatched(*, shipment: Shipment, tracking_number: str) -> list[int]:
    """Mark a locked shipment dispatched and return the reservation ids it carries."""
    shipment.status = Shipment.Status.DISPATCHED
    shipment.tracking_number = tracking_number
    shipment.dispatched_at = Now()
    shipment.updated_at = Now()
    shipment.save(update_fields=["status", "tracking_number", "dispatched_at", "updated_at"])
    return list(shipment.lines.values_list("reservation_id", flat=True))


def all_dispatched(*, order_id: int) -> bool:
    return not Shipment.objects.filter(order_id=order_id).exclude(status=Shipment.Status.DISPATCHED).exists()
