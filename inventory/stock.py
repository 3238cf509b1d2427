"""Stock rules: reserve, release, commit on dispatch, and the version-checked write.

Every function here changes stock rows together with ledger rows in the caller's
transaction (the public functions open one; nested, they make a savepoint). Rows are
locked through `lock_stock_rows`, always in (product id, warehouse id) order, so two
orders locking the same SKUs in opposite line order wait for each other instead of
deadlocking."""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from inventory.exceptions import (
    InventoryError,
    OnHandBelowReservedError,
    OutOfStockError,
    VersionConflictError,
)
from inventory.models import Product, Reservation, Stock, StockMovement, Warehouse
from inventory.routing import Allocation, Demand, plan_allocations, warehouse_preference

logger = logging.getLogger("bouquet.inventory")


def lock_stock_rows(
    product_ids: Iterable[int], *, open_warehouses_only: bool = False, exclude_warehouse_ids: Sequence[int] = ()
) -> list[dict]:
    """Lock the stock rows of these products in (product id, warehouse id) order and
    return them as dicts with id, product_id, warehouse_id, on_hand, reserved,
    priority. Call inside a transaction."""
    sql = [
        "SELECT s.id, s.product_id, s.warehouse_id, s.on_hand, s.reserved, w.priority",
        "FROM inventory_stock s JOIN inventory_warehouse w ON w.id = s.warehouse_id",
        "WHERE s.product_id = ANY(%s)",
    ]
    params: list = [sorted(set(product_ids))]
    if open_warehouses_only:
        sql.append("AND w.is_open")
    if exclude_warehouse_ids:
        sql.append("AND NOT (s.warehouse_id = ANY(%s))")
        params.append(list(exclude_warehouse_ids))
    sql.append("ORDER BY s.product_id, s.warehouse_id FOR UPDATE OF s")
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _apply_stock_deltas(deltas: dict[int, tuple[int, int]]) -> None:
    """Add (on_hand, reserved) deltas to locked stock rows by id in one statement; a
    change of on_hand bumps the row's version."""
    if not deltas:
        return
    ids = list(deltas)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE inventory_stock s
               SET on_hand = s.on_hand + d.on_hand_delta,
                   reserved = s.reserved + d.reserved_delta,
                   version = s.version + CASE WHEN d.on_hand_delta <> 0 THEN 1 ELSE 0 END,
                   updated_at = statement_timestamp()
              FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS d(id, on_hand_delta, reserved_delta)
             WHERE s.id = d.id
            """,
            [ids, [deltas[i][0] for i in ids], [deltas[i][1] for i in ids]],
        )


@transaction.atomic
def reserve_stock(
    *,
    order_id: int,
    demands: Sequence[Demand],
    preferred_warehouse_id: int | None,
    exclude_warehouse_ids: Sequence[int] = (),
    actor: str = "system",
    admit: Callable[[], bool] | None = None,
) -> list[Reservation] | None:
    """Reserve every demand in open warehouses, all or nothing, and return the
    reservations. Raise OutOfStockError naming the SKUs short (nothing reserved).
    `admit`, when given, has the last word once the stock can serve the demands and
    before anything is written (the order's credit check, under the stock rows'
    locks): when it refuses, nothing is reserved and None is returned."""
    rows = lock_stock_rows(
        (d.product_id for d in demands), open_warehouses_only=True, exclude_warehouse_ids=exclude_warehouse_ids
    )
    stock_by_key = {(r["product_id"], r["warehouse_id"]): r for r in rows}
    available = {key: r["on_hand"] - r["reserved"] for key, r in stock_by_key.items()}
    allocations, short = plan_allocations(list(demands), available, warehouse_preference(rows, preferred_warehouse_id))
    if short:
        skus = dict(Product.objects.filter(id__in=short).values_list("id", "sku"))
        raise OutOfStockError({skus[product_id]: quantity for product_id, quantity in short.items()})
    if admit is not None and not admit():
        return None

    stock_ids = {key: r["id"] for key, r in stock_by_key.items()}
    return _reserve_planned([(order_id, a) for a in allocations], stock_ids, actor=actor)


@dataclass(frozen=True)
class OrderDemands:
    """One order's lines, in line order, and its partner's home warehouse."""

    order_id: int
    demands: tuple[Demand, ...]
    preferred_warehouse_id: int | None


@transaction.atomic
def reserve_stock_for_orders(
    *, orders: Sequence[OrderDemands], actor: str = "system", admit: Callable[[int], bool] | None = None
) -> dict[int, OutOfStockError]:
    """Reserve every order's demands in open warehouses, all or nothing per order, as
    `reserve_stock` would for each in the sequence given, with a constant number of
    statements. Return the OutOfStockError of each order that cannot be fully served
    (nothing is reserved for it). `admit(order_id)`, when given, is asked in the same
    sequence about each order the stock can serve, as `reserve_stock` asks it: an
    order it refuses is not reserved, and leaves its stock to the orders after it.
    Call holding the orders' row locks."""
    rows = lock_stock_rows((d.product_id for o in orders for d in o.demands), open_warehouses_only=True)
    rows_by_product: dict[int, list[dict]] = {}
    for row in rows:
        rows_by_product.setdefault(row["product_id"], []).append(row)
    # The batch's running availability: each order sees what the orders before it left.
    available = {(r["product_id"], r["warehouse_id"]): r["on_hand"] - r["reserved"] for r in rows}
    planned: list[tuple[int, Allocation]] = []
    short_by_order: dict[int, dict[int, int]] = {}
    for order in orders:
        # The rows reserve_stock would have locked for this order alone, so the
        # warehouse preference is built from the same candidates.
        own_rows = [
            row
            for product_id in dict.fromkeys(d.product_id for d in order.demands)
            for row in rows_by_product.get(product_id, ())
        ]
        own_available = {key: available[key] for key in ((r["product_id"], r["warehouse_id"]) for r in own_rows)}
        preference = warehouse_preference(own_rows, order.preferred_warehouse_id)
        allocations, short = plan_allocations(list(order.demands), own_available, preference)
        if short:
            short_by_order[order.order_id] = short
            continue
        if admit is not None and not admit(order.order_id):
            continue
        for a in allocations:
            available[(a.product_id, a.warehouse_id)] -= a.quantity
            planned.append((order.order_id, a))

    _reserve_planned(planned, {(r["product_id"], r["warehouse_id"]): r["id"] for r in rows}, actor=actor)
    if not short_by_order:
        return {}
    short_product_ids = {product_id for short in short_by_order.values() for product_id in short}
    skus = dict(Product.objects.filter(id__in=short_product_ids).values_list("id", "sku"))
    return {
        order_id: OutOfStockError({skus[product_id]: quantity for product_id, quantity in short.items()})
        for order_id, short in short_by_order.items()
    }


def _reserve_planned(
    planned: list[tuple[int, Allocation]], stock_ids: dict[tuple[int, int], int], *, actor: str
) -> list[Reservation]:
    """Write planned (order id, allocation) pairs to locked stock rows and return the
    reservations: one stock update, one insert of reservations, one of movements."""
    deltas: dict[int, tuple[int, int]] = {}
    for _, a in planned:
        stock_id = stock_ids[(a.product_id, a.warehouse_id)]
        deltas[stock_id] = (0, deltas.get(stock_id, (0, 0))[1] + a.quantity)
    _apply_stock_deltas(deltas)
    reservations = Reservation.objects.bulk_create(
        [
            Reservation(
                order_id=order_id,
                order_line_id=a.line_id,
                product_id=a.product_id,
                warehouse_id=a.warehouse_id,
                quantity=a.quantity,
            )
            for order_id, a in planned
        ]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                product_id=a.product_id,
                warehouse_id=a.warehouse_id,
                kind=StockMovement.Kind.RESERVE,
                reserved_delta=a.quantity,
                order_id=order_id,
                actor=actor,
            )
            for order_id, a in planned
        ]
    )
    return reservations


def _settle_reservations(
    reservations: list[Reservation], *, new_status: str, kind: str, on_hand_too: bool, actor: str, note: str
) -> None:
    if not reservations:
        return
    rows = lock_stock_rows(r.product_id for r in reservations)
    stock_id = {(r["product_id"], r["warehouse_id"]): r["id"] for r in rows}
    deltas: dict[int, tuple[int, int]] = {}
    movements = []
    for reservation in reservations:
        key = stock_id[(reservation.product_id, reservation.warehouse_id)]
        on_hand_delta, reserved_delta = deltas.get(key, (0, 0))
        on_hand_change = -reservation.quantity if on_hand_too else 0
        deltas[key] = (on_hand_delta + on_hand_change, reserved_delta - reservation.quantity)
        movements.append(
            StockMovement(
                product_id=reservation.product_id,
                warehouse_id=reservation.warehouse_id,
                kind=kind,
                on_hand_delta=on_hand_change,
                reserved_delta=-reservation.quantity,
                order_id=reservation.order_id,
                actor=actor,
                note=note,
            )
        )
    _apply_stock_deltas(deltas)
    Reservation.objects.filter(id__in=[r.id for r in reservations]).update(status=new_status)
    StockMovement.objects.bulk_create(movements)


@transaction.atomic
def release_reservations(
    *, order_id: int, warehouse_ids: Sequence[int] | None = None, actor: str = "system", note: str = ""
) -> list[Reservation]:
    """Give back the order's active reservations (only those in `warehouse_ids` when
    given) and return them. Call while holding the order's row lock, so no other
    step settles the same reservations at once."""
    reservations = Reservation.objects.filter(order_id=order_id, status=Reservation.Status.ACTIVE)
    if warehouse_ids is not None:
        reservations = reservations.filter(warehouse_id__in=warehouse_ids)
    reservations = list(reservations)
    _settle_reservations(
        reservations,
        new_status=Reservation.Status.RELEASED,
        kind=StockMovement.Kind.RELEASE,
        on_hand_too=False,
        actor=actor,
        note=note,
    )
    return reservations


@transaction.atomic
def commit_reservations(*, reservation_ids: Sequence[int], actor: str = "system", note: str = "") -> list[Reservation]:
    """Turn active reservations into a stock decrement (goods left the warehouse)."""
    reservations = list(Reservation.objects.filter(id__in=reservation_ids, status=Reservation.Status.ACTIVE))
    _settle_reservations(
        reservations,
        new_status=Reservation.Status.COMMITTED,
        kind=StockMovement.Kind.DISPATCH,
        on_hand_too=True,
        actor=actor,
        note=note,
    )
    return reservations


@transaction.atomic
def set_on_hand(
    *, product: Product, warehouse: Warehouse, on_hand: int, expected_version: int, actor: str, note: str = ""
) -> Stock:
    """Set a stock row's on-hand quantity, as the ERP, an import or the back office
    does, and return the row. `expected_version` is the version the writer read (0 for
    a row it saw absent, which this creates). Raise VersionConflictError when someone
    wrote first, OnHandBelowReservedError when it would erase reservations."""
    label = f"{product.sku}@{warehouse.code}"
    if not isinstance(on_hand, int) or on_hand < 0:
        raise InventoryError(f"on_hand for {label} must be a whole number of at least 0.", code="invalid_quantity")
    stock = Stock.objects.select_for_update().filter(product=product, warehouse=warehouse).first()
    if stock is None:
        if expected_version != 0:
            raise VersionConflictError(f"Stock {label} does not exist; send version 0 to create it.", current_version=0)
        try:
            with transaction.atomic():
                stock = Stock.objects.create(product=product, warehouse=warehouse, on_hand=on_hand, version=1)
        except IntegrityError:
            raise VersionConflictError(
                f"Stock {label} was created by someone else meanwhile; read it again.", current_version=None
            ) from None
        delta = on_hand
    else:
        if stock.version != expected_version:
            raise VersionConflictError(
                f"Stock {label} was changed by someone else (version {stock.version}, you sent "
                f"{expected_version}); read it again.",
                current_version=stock.version,
            )
        if on_hand < stock.reserved:
            raise OnHandBelowReservedError(
                f"on_hand {on_hand} for {label} is below the {stock.reserved} units reserved for orders.",
                reserved=stock.reserved,
            )
        delta = on_hand - stock.on_hand
        if delta == 0:
            return stock
        stock.on_hand = on_hand
        stock.version += 1
        stock.save(update_fields=["on_hand", "version", "updated_at"])
    StockMovement.objects.create(
        product=product, warehouse=warehouse, kind=StockMovement.Kind.SYNC, on_hand_delta=delta, actor=actor, note=note
    )
    logger.info(
        "stock set",
        extra={
            "sku": product.sku,
            "warehouse": warehouse.code,
            "on_hand": on_hand,
            "version": stock.version,
            "actor": actor,
        },
    )
    return stock
