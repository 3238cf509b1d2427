"""Stock rules: reserve from lots, release, and commit on dispatch (the version-checked
write of a lot is inventory.stock_sync).

Every function here changes lots together with ledger rows in the caller's
transaction (the public functions open one; nested, they make a savepoint). Lots are
locked through `lock_stock_rows`, always in (product id, warehouse id, lot) order, so
two orders locking the same SKUs in opposite line order wait for each other instead
of deadlocking."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction

from config.row_inserts import as_saved, insert_rows
from config.supplier_day import supplier_today
from inventory.exceptions import OutOfStockError
from inventory.lots import LotAllocation, plan_lot_allocations
from inventory.models import Product, Reservation, StockMovement
from inventory.routing import Demand


def lock_stock_rows(
    product_ids: Iterable[int],
    *,
    open_warehouses_only: bool = False,
    exclude_warehouse_ids: Sequence[int] = (),
    serving_from: date | None = None,
) -> list[dict]:
    """Lock the lots of these products in (product id, warehouse id, lot) order and
    return them as dicts with id, product_id, warehouse_id, lot, available_from,
    expires_on, on_hand, reserved, priority (the warehouse's) and product_min_days (the
    product's freshness default). With `serving_from`, lots that expired before that
    date are left out: they can serve no delivery from then on, and a product's old
    lots must not grow every reserve's lock set. Call inside a transaction."""
    sql = [
        "SELECT s.id, s.product_id, s.warehouse_id, s.lot, s.available_from, s.expires_on, s.on_hand, s.reserved,",
        "w.priority, p.min_days_at_delivery AS product_min_days",
        "FROM inventory_stock s JOIN inventory_warehouse w ON w.id = s.warehouse_id",
        "JOIN inventory_product p ON p.id = s.product_id",
        "WHERE s.product_id = ANY(%s)",
    ]
    params: list = [sorted(set(product_ids))]
    if open_warehouses_only:
        sql.append("AND w.is_open")
    if exclude_warehouse_ids:
        sql.append("AND NOT (s.warehouse_id = ANY(%s))")
        params.append(list(exclude_warehouse_ids))
    if serving_from is not None:
        sql.append("AND (s.expires_on IS NULL OR s.expires_on >= %s)")
        params.append(serving_from)
    # COLLATE "C": the lock order must not depend on the database's locale.
    sql.append('ORDER BY s.product_id, s.warehouse_id, s.lot COLLATE "C" FOR UPDATE OF s')
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def lock_lots(keys: Iterable[tuple[int, int, str]]) -> dict[tuple[int, int, str], int]:
    """Lock exactly these lots, (product id, warehouse id, lot) each, in the same order
    as `lock_stock_rows`, and return their ids by key. Settling reservations locks only
    their own lots: a cancel or a dispatch must not wait on, or hold up, a product's
    other lots, nor lock every lot the product ever had."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.product_id, s.warehouse_id, s.lot
              FROM inventory_stock s
              JOIN unnest(%s::bigint[], %s::bigint[], %s::text[]) AS k(product_id, warehouse_id, lot)
                ON s.product_id = k.product_id AND s.warehouse_id = k.warehouse_id AND s.lot = k.lot
             ORDER BY s.product_id, s.warehouse_id, s.lot COLLATE "C"
               FOR UPDATE OF s
            """,
            [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
        )
        return {(product_id, warehouse_id, lot): lot_id for lot_id, product_id, warehouse_id, lot in cursor.fetchall()}


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


@dataclass(frozen=True)
class OrderDemands:
    """One order's lines, in line order, its partner's home warehouse, the delivery
    date the stock must serve and the partner's freshness rule (None: each product's
    default)."""

    order_id: int
    demands: tuple[Demand, ...]
    preferred_warehouse_id: int | None
    delivery_date: date | None = None
    partner_days: int | None = None

    @property
    def serves_on(self) -> date:
        """The date the lots must serve: the delivery date, but never before today, so
        an order reserved late (a retried dead letter, a backlog) or placed before the
        delivery promise (no date) takes no lot that has expired meanwhile."""
        today = supplier_today()
        return max(self.delivery_date, today) if self.delivery_date else today

    def plan(self, lots: Sequence[dict], available: dict[int, int]) -> tuple[list[LotAllocation], dict[int, int]]:
        return plan_lot_allocations(
            self.demands,
            lots,
            available,
            preferred_warehouse_id=self.preferred_warehouse_id,
            delivery_date=self.serves_on,
            partner_days=self.partner_days,
        )


@transaction.atomic
def reserve_stock(
    *,
    order: OrderDemands,
    exclude_warehouse_ids: Sequence[int] = (),
    actor: str = "system",
    admit: Callable[[], bool] | None = None,
) -> list[Reservation] | None:
    """Reserve every demand of the order from lots in open warehouses that can serve
    its date, all or nothing, and return the reservations. Raise OutOfStockError naming
    the SKUs short and the date (nothing reserved). `admit`, when given, has the last
    word once the stock can serve the demands and before anything is written (the
    order's credit check, under the lots' locks): when it refuses, nothing is reserved
    and None is returned."""
    lots = lock_stock_rows(
        (d.product_id for d in order.demands),
        open_warehouses_only=True,
        exclude_warehouse_ids=exclude_warehouse_ids,
        serving_from=order.serves_on,
    )
    allocations, short = order.plan(lots, {lot["id"]: lot["on_hand"] - lot["reserved"] for lot in lots})
    if short:
        raise _out_of_stock({order.order_id: short}, {order.order_id: order})[order.order_id]
    if admit is not None and not admit():
        return None
    return [
        as_saved(Reservation(id=id_, created_at=at, updated_at=at, **dict(zip(RESERVATION_COLUMNS, row, strict=True))))
        for id_, at, row in _reserve_planned([(order, a) for a in allocations], actor=actor)
    ]


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
    lots = lock_stock_rows(
        (d.product_id for o in orders for d in o.demands),
        open_warehouses_only=True,
        serving_from=min((o.serves_on for o in orders), default=None),
    )
    lots_by_product: dict[int, list[dict]] = {}
    for lot in lots:
        lots_by_product.setdefault(lot["product_id"], []).append(lot)
    # The batch's running availability: each order sees what the orders before it left.
    available = {lot["id"]: lot["on_hand"] - lot["reserved"] for lot in lots}
    planned: list[tuple[OrderDemands, LotAllocation]] = []
    short_by_order: dict[int, dict[int, int]] = {}
    for order in orders:
        # The lots reserve_stock would have locked for this order alone, so the
        # warehouse preference is built from the same candidates.
        own_lots = [
            lot
            for product_id in dict.fromkeys(d.product_id for d in order.demands)
            for lot in lots_by_product.get(product_id, ())
        ]
        allocations, short = order.plan(own_lots, available)
        if short:
            short_by_order[order.order_id] = short
            continue
        if admit is not None and not admit(order.order_id):
            continue
        for a in allocations:
            available[a.stock_id] -= a.quantity
            planned.append((order, a))

    _reserve_planned(planned, actor=actor)
    return _out_of_stock(short_by_order, {order.order_id: order for order in orders})


def _out_of_stock(
    short_by_order: dict[int, dict[int, int]], orders: dict[int, OrderDemands]
) -> dict[int, OutOfStockError]:
    """Each short order's error, naming its SKUs short and its date."""
    if not short_by_order:
        return {}
    short_product_ids = {product_id for short in short_by_order.values() for product_id in short}
    skus = dict(Product.objects.filter(id__in=short_product_ids).values_list("id", "sku"))
    return {
        order_id: OutOfStockError(
            {skus[product_id]: quantity for product_id, quantity in short.items()},
            delivery_date=orders[order_id].delivery_date,
        )
        for order_id, short in short_by_order.items()
    }


RESERVATION_COLUMNS = (
    "order_id",
    "order_line_id",
    "product_id",
    "warehouse_id",
    "lot",
    "delivery_date",
    "min_days_at_delivery",
    "quantity",
)
MOVEMENT_COLUMNS = (
    "product_id",
    "warehouse_id",
    "lot",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "order_id",
    "actor",
    "note",
)


def _reserve_planned(planned: list[tuple[OrderDemands, LotAllocation]], *, actor: str) -> list[tuple]:
    """Write planned (order, allocation) pairs to locked lots: one stock update, one
    insert of reservations, one of movements. Return each reservation as (id,
    created_at, its values in the order of RESERVATION_COLUMNS)."""
    deltas: dict[int, tuple[int, int]] = {}
    for _, a in planned:
        deltas[a.stock_id] = (0, deltas.get(a.stock_id, (0, 0))[1] + a.quantity)
    _apply_stock_deltas(deltas)
    rows = [
        (order.order_id, a.line_id, a.product_id, a.warehouse_id, a.lot, order.serves_on, a.required_days, a.quantity)
        for order, a in planned
    ]
    created = insert_rows(Reservation, RESERVATION_COLUMNS, rows, returning=("id", "created_at"))
    _insert_movements(
        (a.product_id, a.warehouse_id, a.lot, StockMovement.Kind.RESERVE, 0, a.quantity, order.order_id, actor, "")
        for order, a in planned
    )
    return [(id_, at, row) for (id_, at), row in zip(created, rows, strict=True)]


def _insert_movements(rows: Iterable[tuple]) -> None:
    """Write ledger rows, each in the order of MOVEMENT_COLUMNS."""
    insert_rows(StockMovement, MOVEMENT_COLUMNS, rows, returning=())


def _settle_reservations(
    reservations: list[Reservation], *, new_status: str, kind: str, on_hand_too: bool, actor: str, note: str
) -> None:
    """Release or commit reservations on the lots they were made on."""
    if not reservations:
        return
    stock_id = lock_lots((r.product_id, r.warehouse_id, r.lot) for r in reservations)
    deltas: dict[int, tuple[int, int]] = {}
    movements = []
    for reservation in reservations:
        key = stock_id[(reservation.product_id, reservation.warehouse_id, reservation.lot)]
        on_hand_delta, reserved_delta = deltas.get(key, (0, 0))
        on_hand_change = -reservation.quantity if on_hand_too else 0
        deltas[key] = (on_hand_delta + on_hand_change, reserved_delta - reservation.quantity)
        movements.append(
            (
                reservation.product_id,
                reservation.warehouse_id,
                reservation.lot,
                kind,
                on_hand_change,
                -reservation.quantity,
                reservation.order_id,
                actor,
                note,
            )
        )
    _apply_stock_deltas(deltas)
    Reservation.objects.filter(id__in=[r.id for r in reservations]).update(status=new_status)
    _insert_movements(movements)


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
