"""Credit holds: an on-account order past its partner's credit headroom waits in
CREATED on hold `credit`, holding no stock and no credit, until the back office
releases it (or cancels it), or until HELD_ORDER_RELEASE_AFTER_HOURS have passed and
the sweeper cancels it (`hold_expired`). The hold itself is put on by the reserve
step (journey.steps.reserve).

Orders reserved before the reserve step drew credit may still wait on the old kind
of hold, in PAYMENT_PENDING with their stock reserved (journey.steps.pay): both are
released and expire alike."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now

from orders.cancellation import cancel_locked_order
from orders.exceptions import NotHeldError
from orders.models import Order, OrderStatus
from orders.transitions import lock_order, set_hold, transition, transition_many
from orders.wakeups import wake_on_commit
from partners.credit import draw_credit_over_limit
from payments.models import Payment
from payments.services import create_payment, lock_payment, mark_payment

logger = logging.getLogger("bouquet.orders")

HELD_STATUSES = (OrderStatus.CREATED, OrderStatus.PAYMENT_PENDING)


def release_credit_hold(*, order_id: int, actor: str) -> Order:
    """The back office accepts an on-account order past its credit headroom: draw the
    credit anyway, and let the order go on through the reserve step as usual (an
    order held after reserving goes on to PAID)."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status not in HELD_STATUSES or order.hold != Order.Hold.CREDIT:
            raise NotHeldError(f"Order {order.number} is not on credit hold.")
        draw_credit_over_limit(partner_id=order.partner_id, amount=order.total)
        if order.status == OrderStatus.CREATED:
            # The payment records the draw: the reserve step draws nothing more, and a
            # cancel gives it back.
            create_payment(order=order, method=Payment.Method.ACCOUNT, status=Payment.Status.SUCCEEDED)
            # Claimable at once: the claim that found it over its headroom leased it.
            set_hold([order.id], Order.Hold.NONE, attempts=0, next_attempt_at=Now())
            order.hold = Order.Hold.NONE
            logger.info("credit hold released", extra={"order": order.number, "actor": actor})
            wake_on_commit("reserve")
        else:
            mark_payment(lock_payment(order_id=order.id), Payment.Status.SUCCEEDED)
            transition(order, OrderStatus.PAID, actor=actor, detail="credit hold released")
            wake_on_commit("finalize")
    return order


def expire_credit_holds(*, limit: int = 500) -> int:
    """Cancel (`hold_expired`) up to `limit` orders on credit hold for longer than
    HELD_ORDER_RELEASE_AFTER_HOURS, in one transaction, giving back what they hold;
    return how many. Orders another transaction has locked (the back office
    releasing one) are skipped until the next sweep."""
    hours = settings.BOUQUET["HELD_ORDER_RELEASE_AFTER_HOURS"]
    detail = f"On credit hold for more than {hours} hours without a decision."
    with transaction.atomic():
        expired = list(
            Order.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("partner")
            .filter(
                hold=Order.Hold.CREDIT,
                status__in=HELD_STATUSES,
                held_since__lt=Now() - timedelta(hours=hours),
            )
            .order_by("id")[:limit]
        )
        # Held before reserving: nothing to give back but the order itself.
        holding_nothing = [order for order in expired if order.status == OrderStatus.CREATED]
        transition_many(
            holding_nothing,
            OrderStatus.CANCELLED,
            reason="hold_expired",
            details=dict.fromkeys((order.id for order in holding_nothing), detail),
        )
        for order in expired:
            if order.status == OrderStatus.PAYMENT_PENDING:
                cancel_locked_order(order, reason="hold_expired", detail=detail)
    if expired:
        logger.info("expired credit holds cancelled", extra={"orders": len(expired), "after_hours": hours})
    return len(expired)
