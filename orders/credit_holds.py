"""Credit holds: an on-account order past its partner's credit limit waits in
PAYMENT_PENDING on hold `credit` until the back office releases it (or cancels it).
The hold itself is put on by the pay step (journey.steps.pay)."""

import logging

from django.db import transaction

from orders.exceptions import NotHeldError
from orders.models import Order, OrderStatus
from orders.transitions import lock_order, transition
from orders.wakeups import wake_on_commit
from partners.credit import draw_credit_over_limit
from payments.models import Payment
from payments.services import lock_payment, mark_payment

logger = logging.getLogger("bouquet.orders")


def release_credit_hold(*, order_id: int, actor: str) -> Order:
    """The back office accepts an on-account order past its credit limit: draw the
    credit anyway and move the order to PAID."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != OrderStatus.PAYMENT_PENDING or order.hold != Order.Hold.CREDIT:
            raise NotHeldError(f"Order {order.number} is not on credit hold.")
        draw_credit_over_limit(partner_id=order.partner_id, amount=order.total)
        mark_payment(lock_payment(order_id=order.id), Payment.Status.SUCCEEDED)
        transition(order, OrderStatus.PAID, actor=actor, detail="credit hold released")
        wake_on_commit("finalize")
    return order
