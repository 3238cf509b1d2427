"""Cancelling an order: allowed until CONFIRMED; gives back the stock and undoes the
payment (refund a card charge, return an on-account draw)."""

import logging

from django.db import transaction

from inventory.stock import release_reservations
from orders.exceptions import NotCancellableError
from orders.models import Order, OrderStatus
from orders.states import CANCELLABLE_STATUSES
from orders.transitions import lock_order, transition
from orders.waitlist import wake_waitlists_on_commit
from orders.wakeups import wake_on_commit
from payments.services import lock_payment, settle_payment_on_cancel

logger = logging.getLogger("bouquet.orders")


def cancel_locked_order(order: Order, *, reason: str, detail: str = "", actor: str = "system") -> None:
    """Cancel an order whose row the caller has locked, inside the caller's transaction."""
    released = release_reservations(order_id=order.id, actor=actor, note=f"order {order.number} cancelled: {reason}")
    payment = lock_payment(order_id=order.id)
    if payment is not None:
        payment.order = order
    settle_payment_on_cancel(payment)
    transition(order, OrderStatus.CANCELLED, reason=reason, detail=detail, actor=actor)
    if payment is not None and payment.status == payment.Status.REFUND_PENDING:
        wake_on_commit("refund")
    if released:
        # The units are back: a campaign's waitlist may now be served (an allocation
        # order's units go to the next in line, its own line forfeits them).
        wake_waitlists_on_commit(r.product_id for r in released)


def cancel_order(*, order_id: int, reason: str = "", actor: str) -> Order:
    """Cancel the order for a buyer, the ERP or the back office and return it.
    Cancelling a cancelled order is a no-op; from CONFIRMED on it is refused."""
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.status not in CANCELLABLE_STATUSES:
            raise NotCancellableError(
                f"Order {order.number} is {order.status} and can no longer be cancelled.", status=order.status
            )
        cancel_locked_order(order, reason="cancelled", detail=reason or f"cancelled by {actor}", actor=actor)
    return order
