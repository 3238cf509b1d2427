"""Which warehouses serve an order: a pure function of demand, availability and
preference, so the rule can be read and tested without a database.

The rule (docs/DESIGN.md section 3): prefer the partner's home warehouse, then other open
warehouses by priority; a line may be split across warehouses; fewer shipments beat
more. So the plan uses the smallest set of warehouses that covers the whole order,
choosing among sets of one size by preference, and fills lines in preference order
within the chosen set.

`warehouse_preference` orders the candidates (home first, then priority) and
`plan_allocations` makes the plan. The candidates are the warehouses whose stock rows
inventory.stock.lock_stock_rows locked for the order: open ones only, less any the
caller excludes (the finalize step re-routing away from a warehouse that closed)."""

from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Demand:
    line_id: int
    product_id: int
    quantity: int


@dataclass(frozen=True)
class Allocation:
    line_id: int
    product_id: int
    warehouse_id: int
    quantity: int


# Past this many candidate warehouses, searching every subset costs more than it
# saves; the plan then fills greedily in preference order.
MAX_WAREHOUSES_FOR_EXACT_SEARCH = 12


def plan_allocations(
    demands: list[Demand],
    available: dict[tuple[int, int], int],
    warehouse_preference: list[int],
) -> tuple[list[Allocation], dict[int, int]]:
    """Return the allocations and, for products that cannot be covered, the quantity
    short per product id (then the allocations are not to be used)."""
    needed: dict[int, int] = {}
    for demand in demands:
        needed[demand.product_id] = needed.get(demand.product_id, 0) + demand.quantity

    short = {}
    for product_id, quantity in needed.items():
        total = sum(available.get((product_id, w), 0) for w in warehouse_preference)
        if total < quantity:
            short[product_id] = quantity - total
    if short:
        return [], short

    chosen = _fewest_warehouses(needed, available, warehouse_preference)
    return _fill(demands, available, chosen), {}


def _covers(warehouses, needed, available) -> bool:
    return all(sum(available.get((p, w), 0) for w in warehouses) >= q for p, q in needed.items())


def _fewest_warehouses(needed, available, preference) -> list[int]:
    useful = [w for w in preference if any(available.get((p, w), 0) > 0 for p in needed)]
    if len(useful) > MAX_WAREHOUSES_FOR_EXACT_SEARCH:
        return useful
    for size in range(1, len(useful) + 1):
        # combinations() keeps the input order, so the first covering set found is
        # the most preferred of its size.
        for subset in combinations(useful, size):
            if _covers(subset, needed, available):
                return list(subset)
    return useful


def _fill(demands, available, warehouses) -> list[Allocation]:
    remaining = dict(available)
    allocations = []
    for demand in demands:
        left = demand.quantity
        for warehouse_id in warehouses:
            if left == 0:
                break
            take = min(left, remaining.get((demand.product_id, warehouse_id), 0))
            if take > 0:
                allocations.append(Allocation(demand.line_id, demand.product_id, warehouse_id, take))
                remaining[(demand.product_id, warehouse_id)] -= take
                left -= take
    return allocations


def warehouse_preference(rows: list[dict], preferred_warehouse_id: int | None) -> list[int]:
    """Return the warehouses of these stock rows in the order they are preferred:
    the partner's home warehouse first, then the others by priority."""
    by_priority = sorted({(r["priority"], r["warehouse_id"]) for r in rows})
    order = [warehouse_id for _, warehouse_id in by_priority]
    if preferred_warehouse_id in order:
        order.remove(preferred_warehouse_id)
        order.insert(0, preferred_warehouse_id)
    return order
