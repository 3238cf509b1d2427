"""The version-checked write of a lot, as the ERP's sync, an import or the back office
does it: on-hand quantity and, for dated supply, the lot's dates (docs/DESIGN.md
sections 5 and 11). Each change writes a ledger row in the same transaction."""

import logging
from datetime import date

from django.db import IntegrityError, transaction

from config.limits import LOT_PATTERN, matches_pattern
from config.supplier_day import supplier_today
from config.unchanged import UNCHANGED, Unchanged
from inventory.exceptions import (
    InvalidLotDatesError,
    InventoryError,
    LotInUseError,
    OnHandBelowReservedError,
    VersionConflictError,
)
from inventory.freshness import lot_serves
from inventory.models import NO_LOT, Product, Reservation, Stock, StockMovement, Warehouse
from inventory.signals import announce_stock_grew_on_commit

logger = logging.getLogger("bouquet.inventory")


def lot_label(product: Product, warehouse: Warehouse, lot: str) -> str:
    return f"{product.sku}@{warehouse.code}" + (f" lot {lot}" if lot else "")


def lot_code_problem(lot) -> str | None:
    """Why this lot code cannot be used, or None: "" (no lot) or 1 to 40 printable
    ASCII characters without spaces or "/" (config.limits.LOT_PATTERN)."""
    if lot == NO_LOT:
        return None
    if not isinstance(lot, str) or not matches_pattern(LOT_PATTERN, lot):
        return f'lot {lot!r} must be empty or 1 to 40 printable ASCII characters without spaces or "/".'
    return None


def _invalid_dates(field: str, detail: str) -> InvalidLotDatesError:
    return InvalidLotDatesError(detail, errors=[{"field": field, "code": "invalid_lot_dates", "detail": detail}])


def _check_input(label: str, lot, on_hand, available_from, expires_on) -> None:
    problem = lot_code_problem(lot)
    if problem:
        raise InventoryError(problem, code="invalid_lot")
    if isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0:
        raise InventoryError(f"on_hand for {label} must be a whole number of at least 0.", code="invalid_quantity")
    for field, value in (("available_from", available_from), ("expires_on", expires_on)):
        if value is not UNCHANGED and value is not None and not isinstance(value, date):
            raise _invalid_dates(field, f"{field} for {label} must be a date or empty.")


def _unfit_reservations(stock: Stock, available_from: date | None, expires_on: date | None) -> int:
    """How many of the lot's active reservations these dates would leave unfit."""
    reservations = Reservation.objects.filter(
        product_id=stock.product_id, warehouse_id=stock.warehouse_id, lot=stock.lot, status=Reservation.Status.ACTIVE
    ).values_list("delivery_date", "min_days_at_delivery")
    today = supplier_today()
    return sum(
        not lot_serves(
            available_from=available_from,
            expires_on=expires_on,
            delivery_date=delivery_date or today,
            required_days=min_days,
        )
        for delivery_date, min_days in reservations
    )


def _create_lot(product, warehouse, lot, label, on_hand, expected_version, available_from, expires_on):
    """Create a lot a writer saw absent; return it with its on-hand change."""
    if expected_version != 0:
        raise VersionConflictError(f"Stock {label} does not exist; send version 0 to create it.", current_version=0)
    try:
        with transaction.atomic():
            stock = Stock.objects.create(
                product=product,
                warehouse=warehouse,
                lot=lot,
                available_from=available_from,
                expires_on=expires_on,
                on_hand=on_hand,
                version=1,
            )
    except IntegrityError:
        raise VersionConflictError(
            f"Stock {label} was created by someone else meanwhile; read it again.", current_version=None
        ) from None
    return stock, on_hand


def _change_lot(stock: Stock, label, on_hand, expected_version, available_from, expires_on) -> int | None:
    """Write a locked lot's new figures; return the on-hand change, or None when
    nothing changes."""
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
    dates_change = (available_from, expires_on) != (stock.available_from, stock.expires_on)
    if dates_change and stock.reserved:
        unfit = _unfit_reservations(stock, available_from, expires_on)
        if unfit:
            raise LotInUseError(
                f"Lot {label} holds {unfit} reservation(s) that available_from {available_from} and expires_on "
                f"{expires_on} would leave unfit for their delivery dates; move or cancel those orders first.",
                unfit_reservations=unfit,
            )
    delta = on_hand - stock.on_hand
    if delta == 0 and not dates_change:
        return None
    stock.on_hand, stock.available_from, stock.expires_on = on_hand, available_from, expires_on
    stock.version += 1
    stock.save(update_fields=["on_hand", "available_from", "expires_on", "version", "updated_at"])
    return delta


@transaction.atomic
def set_on_hand(
    *,
    product: Product,
    warehouse: Warehouse,
    on_hand: int,
    expected_version: int,
    actor: str,
    lot: str = NO_LOT,
    available_from: date | None | Unchanged = UNCHANGED,
    expires_on: date | None | Unchanged = UNCHANGED,
    note: str = "",
) -> Stock:
    """Set a lot's on-hand quantity, and its dates where given, and return the lot.
    `expected_version` is the version the writer read (0 for a lot it saw absent,
    which this creates). Raise VersionConflictError when someone wrote first,
    OnHandBelowReservedError when it would erase reservations, LotInUseError when new
    dates would leave a reservation on the lot unfit for its delivery date, and
    InventoryError naming the field for a bad lot code, quantity or dates."""
    label = lot_label(product, warehouse, lot)
    _check_input(label, lot, on_hand, available_from, expires_on)
    stock = Stock.objects.select_for_update().filter(product=product, warehouse=warehouse, lot=lot).first()
    new_from = (stock.available_from if stock else None) if available_from is UNCHANGED else available_from
    new_expiry = (stock.expires_on if stock else None) if expires_on is UNCHANGED else expires_on
    if new_from is not None and new_expiry is not None and new_expiry < new_from:
        raise _invalid_dates(
            "expires_on", f"expires_on {new_expiry} for {label} is before its available_from {new_from}."
        )
    dates_before = (stock.available_from, stock.expires_on) if stock else (new_from, new_expiry)
    if stock is None:
        stock, delta = _create_lot(product, warehouse, lot, label, on_hand, expected_version, new_from, new_expiry)
    else:
        delta = _change_lot(stock, label, on_hand, expected_version, new_from, new_expiry)
        if delta is None:
            return stock
    if delta > 0 or dates_before != (new_from, new_expiry):
        # More units, or dates that may serve other days: a campaign's waitlist may
        # now be served (orders.waitlist listens).
        announce_stock_grew_on_commit([product.id])
    dates = f"dates {new_from or '-'} to {new_expiry or '-'}" if (new_from or new_expiry) else ""
    StockMovement.objects.create(
        product=product,
        warehouse=warehouse,
        lot=lot,
        kind=StockMovement.Kind.SYNC,
        on_hand_delta=delta,
        actor=actor,
        note="; ".join(part for part in (note, dates) if part)[:255],
    )
    logger.info(
        "stock set",
        extra={
            "sku": product.sku,
            "warehouse": warehouse.code,
            "lot": lot,
            "on_hand": on_hand,
            "version": stock.version,
            "actor": actor,
        },
    )
    return stock
