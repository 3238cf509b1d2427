from datetime import date

from config.errors import ConflictError, DomainError, UnprocessableError


class InventoryError(DomainError):
    code = "inventory_error"


class OutOfStockError(InventoryError):
    """Not enough stock fresh enough for the delivery date in open warehouses for these
    SKUs; `short` maps SKU to the quantity missing."""

    code = "out_of_stock"

    def __init__(self, short: dict[str, int], *, delivery_date: date | None = None):
        listed = ", ".join(f"{sku} (short {qty})" for sku, qty in sorted(short.items()))
        when = f" for delivery on {delivery_date.isoformat()}" if delivery_date else ""
        super().__init__(
            f"Not enough stock{when} for {listed}.",
            errors=[
                {"sku": s, "short": q, **({"delivery_date": delivery_date.isoformat()} if delivery_date else {})}
                for s, q in sorted(short.items())
            ],
        )
        self.short = short
        self.delivery_date = delivery_date


class VersionConflictError(ConflictError):
    code = "version_conflict"


class OnHandBelowReservedError(ConflictError, InventoryError):
    """A well-formed on-hand figure that the row's current reservations forbid: a
    conflict with the state (409 over the API), not a bad request."""

    code = "on_hand_below_reserved"


class LotInUseError(ConflictError, InventoryError):
    """New dates for a lot that would leave a reservation it holds unfit for its
    delivery date; `unfit_reservations` says how many."""

    code = "lot_in_use"

    def __init__(self, message: str, *, unfit_reservations: int):
        super().__init__(message, unfit_reservations=unfit_reservations)
        self.unfit_reservations = unfit_reservations


class InvalidLotDatesError(UnprocessableError, InventoryError):
    """Dates a lot cannot have (it would expire before it is available): well-formed,
    but refused by the rule, so 422 over the API; `errors` names the field."""

    code = "invalid_lot_dates"
