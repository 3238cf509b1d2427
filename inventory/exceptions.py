from config.errors import ConflictError, DomainError


class InventoryError(DomainError):
    code = "inventory_error"


class OutOfStockError(InventoryError):
    """Not enough stock in open warehouses for these SKUs; `short` maps SKU to the
    quantity missing."""

    code = "out_of_stock"

    def __init__(self, short: dict[str, int]):
        listed = ", ".join(f"{sku} (short {qty})" for sku, qty in sorted(short.items()))
        super().__init__(
            f"Not enough stock for {listed}.", errors=[{"sku": s, "short": q} for s, q in sorted(short.items())]
        )
        self.short = short


class VersionConflictError(ConflictError):
    code = "version_conflict"


class OnHandBelowReservedError(ConflictError, InventoryError):
    """A well-formed on-hand figure that the row's current reservations forbid: a
    conflict with the state (409 over the API), not a bad request."""

    code = "on_hand_below_reserved"
