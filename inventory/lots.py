"""Which lots serve an order: the routing rule chooses the warehouses (inventory.routing,
home first, then priority, fewer shipments beat more) from what each warehouse's
serving lots hold, and within each warehouse the serving lots are taken first
expiring first, lots that do not perish last, a line split over lots where needed
(docs/DESIGN.md section 11). Pure functions of the locked lots, so the single-order
and the batch reserve plan alike."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from inventory.freshness import lot_serves, required_days
from inventory.routing import Demand, plan_allocations, warehouse_preference


@dataclass(frozen=True)
class LotAllocation:
    line_id: int
    product_id: int
    warehouse_id: int
    stock_id: int
    lot: str
    quantity: int
    # The days of life the lot was judged against, recorded on the reservation.
    required_days: int


def first_expiring_first(lot: dict) -> tuple:
    """Sort key: the earliest expiry first, lots that do not perish last; then the
    lot available longest, then the lot code, so the order is total."""
    return (
        lot["expires_on"] is None,
        lot["expires_on"] or date.max,
        lot["available_from"] or date.min,
        lot["lot"],
    )


def plan_lot_allocations(
    demands: Sequence[Demand],
    lots: Sequence[dict],
    available: dict[int, int],
    *,
    preferred_warehouse_id: int | None,
    delivery_date: date,
    partner_days: int | None,
) -> tuple[list[LotAllocation], dict[int, int]]:
    """Plan an order over locked lots (dicts as inventory.stock.lock_stock_rows gives
    them) with `available` units each by stock id. Return the allocations and, for
    products the serving lots cannot cover, the quantity short per product id (then
    the allocations are not to be used)."""
    serving: dict[tuple[int, int], list[dict]] = {}
    days_by_product: dict[int, int] = {}
    for lot in lots:
        days = required_days(partner_days, lot["product_min_days"])
        days_by_product[lot["product_id"]] = days
        if available.get(lot["id"], 0) > 0 and lot_serves(
            available_from=lot["available_from"],
            expires_on=lot["expires_on"],
            delivery_date=delivery_date,
            required_days=days,
        ):
            serving.setdefault((lot["product_id"], lot["warehouse_id"]), []).append(lot)
    per_warehouse = {}
    for key, serving_lots in serving.items():
        serving_lots.sort(key=first_expiring_first)
        per_warehouse[key] = sum(available[lot["id"]] for lot in serving_lots)
    allocations, short = plan_allocations(
        list(demands), per_warehouse, warehouse_preference(list(lots), preferred_warehouse_id)
    )
    if short:
        return [], short
    left_in_lot = {lot["id"]: available[lot["id"]] for lots_here in serving.values() for lot in lots_here}
    planned = []
    for allocation in allocations:
        wanted = allocation.quantity
        for lot in serving[(allocation.product_id, allocation.warehouse_id)]:
            take = min(wanted, left_in_lot[lot["id"]])
            if take <= 0:
                continue
            left_in_lot[lot["id"]] -= take
            wanted -= take
            planned.append(
                LotAllocation(
                    allocation.line_id,
                    allocation.product_id,
                    allocation.warehouse_id,
                    lot["id"],
                    lot["lot"],
                    take,
                    days_by_product[allocation.product_id],
                )
            )
            if wanted == 0:
                break
    return planned, {}
