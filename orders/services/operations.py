"""The back office's and the warehouse's moves on an order: dispatch, credit-hold
release, dead-letter retry and re-drive."""

import logging

from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from fulfillment import services as fulfillment
from fulfillment.exceptions import ShipmentNotFoundError
from fulfillment.models import Shipment
from inventory.services import commit_reservations
from orders.exceptions import NotDispatchableError, NotHeldError, OrderError
from orders.journey.transitions import lock_order, set_hold, transition
from orders.journey.wakeups import wake_on_commit
from orders.models import Order, OrderStatus
from partners.services import draw_credit_over_limit
from payments.models import DeadLetter, Payment
from payments.services import lock_payment, mark_payment

logger = logging.getLogger("bouquet.orders")

STEP_FOR_STATUS = {
    OrderStatus.CREATED: "reserve",
    OrderStatus.INVENTORY_RESERVED: "pay",
    OrderStatus.PAYMENT_PENDING: "pay",
    OrderStatus.PAID: "finalize",
    OrderStatus.CANCELLED: "refund",
}


def confirm_dispatch(*, shipment_id: int, tracking_number: str, actor: str) -> Shipment:
    """Mark the shipment dispatched, turn its reservations into stock decrements, and
    move the order to SHIPPED once all its shipments are out. A repeat is a no-op."""
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise OrderError("tracking_number is required to confirm a dispatch.", code="tracking_number_required")
    order_id = Shipment.objects.filter(id=shipment_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise ShipmentNotFoundError(f"Shipment {shipment_id} does not exist.")
    with transaction.atomic():
        order = lock_order(order_id)
        shipment = fulfillment.lock_shipment(shipment_id=shipment_id)
        if shipment.status == Shipment.Status.DISPATCHED:
            return shipment
        if order.status != OrderStatus.CONFIRMED:
            raise NotDispatchableError(f"Order {order.number} is {order.status}; only CONFIRMED orders are dispatched.")
        reservation_ids = fulfillment.mark_dispatched(shipment=shipment, tracking_number=tracking_number)
        commit_reservations(reservation_ids=reservation_ids, actor=actor, note=f"shipment {shipment.id} of {order.number}")
        if fulfillment.all_dispatched(order_id=order.id):
            transition(order, OrderStatus.SHIPPED, actor=actor, detail=f"last shipment {shipment.id} dispatched")
    logger.info("shipment dispatched", extra={"order": order.number, "shipment": shipment.id, "actor": actor})
    return shipment


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


def redrive_order(*, order_id: int, actor: str) -> str | None:
    """Make the order due for its step now (clearing a backoff or a lease) and wake
    the step; return the order's status, or None if there is no such order. Takes no
    lock: a worker handling the order meanwhile is kept apart by the handlers' own
    compare-and-set."""
    status = (
        Order.objects.filter(id=order_id).values_list("status", flat=True).first()
    )
    if status is None:
        return None
    Order.objects.filter(id=order_id, hold="").update(next_attempt_at=Now())
    step = STEP_FOR_STATUS.get(status)
    if step:
        wake_on_commit(step)
    logger.info("order re-driven", extra={"order_id": order_id, "actor": actor, "status": status})
    return status


_DUE_FOR_PAYMENT_INTENT_SQL = """
UPDATE orders_order o
   SET next_attempt_at = statement_timestamp()
  FROM payments_payment p
 WHERE p.stripe_payment_intent_id = %s AND o.id = p.order_id AND o.status = 'PAYMENT_PENDING' AND o.hold = ''
RETURNING o.id
"""


def wake_order_waiting_on(*, payment_intent_id: str) -> int | None:
    """Stripe said something about this PaymentIntent: make the order waiting on it
    due for its pay step now and wake the step, which re-reads the PaymentIntent and
    acts on what Stripe says then. Return the order's id, or None when no order waits
    on it: it has moved on (the confirm call answered first, the usual case, or it was
    cancelled and the refund step settles it), or the PaymentIntent is not ours. One
    statement."""
    with connection.cursor() as cursor:
        cursor.execute(_DUE_FOR_PAYMENT_INTENT_SQL, [payment_intent_id])
        row = cursor.fetchone()
    if row is None:
        return None
    wake_on_commit("pay")
    return row[0]


def retry_dead_letter(*, dead_letter_id: int, actor: str) -> DeadLetter:
    """Give a dead-lettered order a fresh set of attempts and wake its step."""
    with transaction.atomic():
        dead_letter = DeadLetter.objects.select_for_update().get(id=dead_letter_id)
        if dead_letter.status != DeadLetter.Status.OPEN:
            return dead_letter
        if dead_letter.order_id is not None:
            order = lock_order(dead_letter.order_id)
            if order.hold == Order.Hold.DEAD_LETTER:
                set_hold([order.id], "", attempts=0, next_attempt_at=Now())
            step = STEP_FOR_STATUS.get(order.status)
            if step:
                wake_on_commit(step)
        dead_letter.status = DeadLetter.Status.RETRIED
        dead_letter.resolved_at = timezone.now()
        dead_letter.resolved_by = actor
        dead_letter.save(update_fields=["status", "resolved_at", "resolved_by"])
    logger.info("dead letter retried", extra={"dead_letter": dead_letter.id, "order_id": dead_letter.order_id, "actor": actor})
    return dead_letter


def resolve_dead_letter(*, dead_letter_id: int, actor: str) -> DeadLetter:
    """Mark a dead letter handled by hand (the order stays where it is)."""
    with transaction.atomic():
        dead_letter = DeadLetter.objects.select_for_update().get(id=dead_letter_id)
        if dead_letter.status == DeadLetter.Status.OPEN:
            dead_letter.status = DeadLetter.Status.RESOLVED
            dead_letter.resolved_at = timezone.now()
            dead_letter.resolved_by = actor
            dead_letter.save(update_fields=["status", "resolved_at", "resolved_by"])
    return dead_letter
