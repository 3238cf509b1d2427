"""The order's state machine as data: which states follow which, which may still be
cancelled, and which journey step moves an order out of each state. The one table
that the transitions, the workers, the sweeper, the admin and the audit read."""

from orders.models import OrderStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.INVENTORY_RESERVED, OrderStatus.CANCELLED}),
    OrderStatus.INVENTORY_RESERVED: frozenset({OrderStatus.PAYMENT_PENDING, OrderStatus.CANCELLED}),
    OrderStatus.PAYMENT_PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# A buyer, the ERP or the back office may cancel until the order is CONFIRMED.
CANCELLABLE_STATUSES = frozenset(
    {OrderStatus.CREATED, OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_PENDING, OrderStatus.PAID}
)

# The step that moves an order on from each state. CONFIRMED waits for the warehouse's
# dispatch, not for us; a CANCELLED order waits at `refund` only while a card charge
# is to be undone (see WAITING_AT_STEP).
STEP_FOR_STATUS: dict[str, str] = {
    OrderStatus.CREATED: "reserve",
    OrderStatus.INVENTORY_RESERVED: "pay",
    OrderStatus.PAYMENT_PENDING: "pay",
    OrderStatus.PAID: "finalize",
    OrderStatus.CANCELLED: "refund",
}

# The states a step moves an order out of: an order in one of them, not held for a
# person, is unfinished, and "stuck" once it has not moved for too long.
MOVED_BY_STEPS: tuple[str, ...] = tuple(
    status for status, step in STEP_FOR_STATUS.items() if status != OrderStatus.CANCELLED
)


def _statuses_sql(step: str) -> str:
    statuses = ", ".join(f"'{status}'" for status, name in STEP_FOR_STATUS.items() if name == step)
    return f"o.status IN ({statuses})"


# SQL conditions on `o` (orders_order) for the orders waiting at each step, derived
# from STEP_FOR_STATUS; the refund step also needs a charge to undo.
WAITING_AT_STEP: dict[str, str] = {
    "reserve": _statuses_sql("reserve"),
    "pay": _statuses_sql("pay"),
    "finalize": _statuses_sql("finalize"),
    "refund": _statuses_sql("refund") + " AND EXISTS (SELECT 1 FROM payments_payment p "
    "WHERE p.order_id = o.id AND p.status = 'refund_pending')",
}
