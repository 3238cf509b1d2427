"""The pay step: INVENTORY_RESERVED -> PAYMENT_PENDING -> PAID, or CANCELLED
(`payment_declined`). What a declined card does to an order is decided here
(`record_payment_declined`). On-account orders, whose credit the reserve step drew,
are paid in a batch (`pay_batch`); card orders one at a time (`pay_one`), since each
waits on Stripe. Stripe is called outside any transaction."""

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from orders.cancellation import cancel_locked_order
from orders.models import Order, OrderStatus
from orders.transitions import (
    defer_order,
    lock_order,
    lock_orders_in_status,
    set_hold,
    transition,
    transition_many,
)
from orders.wakeups import wake_on_commit
from partners.credit import try_draw_credit
from partners.models import Partner
from payments import gateway
from payments import services as payments
from payments.exceptions import CardDeclinedError, PaymentGatewayUnavailableError
from payments.models import Payment

logger = logging.getLogger("bouquet.journey")


# How long to wait before asking Stripe again about a PaymentIntent that is neither
# succeeded nor failed yet.
PAYMENT_PROCESSING_RECHECK_SECONDS = 30

# How long an order whose Stripe conversation another worker holds waits before a step
# may claim it again. That worker records the answer (moving or deferring the order),
# so this only bounds the wait should it find nothing to record; nothing wakes the step
# for it, and a wait of seconds stalled a backlog's last orders (issue 20).
PAYMENT_BUSY_RECHECK_SECONDS = 2


class PaymentBusyError(PaymentGatewayUnavailableError):
    """Come back shortly: another worker holds the order's Stripe conversation, or
    Stripe has not decided the charge yet. Not a failed attempt."""

    code = "payment_busy"


def start_payment(order_id: int) -> Order:
    """INVENTORY_RESERVED -> PAYMENT_PENDING with a payment row. On account, the credit
    was drawn when the stock was reserved (journey.steps.reserve), so the order goes
    on to PAID at once. Return the order as it now is."""
    with transaction.atomic():
        order = lock_order(order_id, with_payment=True)
        if order.status != OrderStatus.INVENTORY_RESERVED:
            return order
        transition(order, OrderStatus.PAYMENT_PENDING)
        # Drawn credit decides before the partner's method: a partner moved from
        # account to card after its credit was drawn (at reserve, or by a released
        # hold) has paid this order, and an order has one payment row only.
        if credit_drawn_when_reserved(order):
            transition(order, OrderStatus.PAID, detail="on account")
        elif order.partner.payment_method != Partner.PaymentMethod.ACCOUNT:
            payments.create_payment(order=order, method=Payment.Method.CARD, status=Payment.Status.PENDING)
        else:
            _draw_credit_after_reserving(order)
    return order


def credit_drawn_when_reserved(order: Order) -> bool:
    """Whether the reserve step (or a released credit hold) drew the order's credit:
    its payment, on account, says so, whatever the partner's method is now. `order`
    comes with its payment."""
    payment = getattr(order, "payment", None)
    return (
        payment is not None and payment.method == Payment.Method.ACCOUNT and payment.status == Payment.Status.SUCCEEDED
    )


def _draw_credit_after_reserving(order: Order) -> None:
    # Only an order reserved before the reserve step drew credit (a deploy of issue
    # 14 with orders in flight) gets here: its credit is checked now, as it was
    # then, and past the limit it waits on credit hold in PAYMENT_PENDING, holding
    # its stock until released, cancelled or expired (orders.credit_holds).
    if try_draw_credit(partner_id=order.partner_id, amount=order.total):
        payments.create_payment(order=order, method=Payment.Method.ACCOUNT, status=Payment.Status.SUCCEEDED)
        transition(order, OrderStatus.PAID, detail="on account")
        return
    payments.create_payment(order=order, method=Payment.Method.ACCOUNT, status=Payment.Status.HELD)
    set_hold([order.id], Order.Hold.CREDIT)
    order.hold = Order.Hold.CREDIT
    logger.info("order on credit hold", extra={"order": order.number, "total": str(order.total)})


def pay_batch(order_ids: Sequence[int]) -> list[int]:
    """Do what `start_payment` does to each order whose credit the reserve step drew
    (whatever its partner's method is now), for a whole batch in one transaction with
    a constant number of statements, and return the ids of the other orders, left for
    `pay_one` one by one: a card is charged outside any transaction, and an order in
    any other state needs what `pay_one` does with it. Any error rolls back the whole
    batch (the caller then falls back to one order at a time)."""
    with transaction.atomic():
        orders = [
            order
            for order in lock_orders_in_status(order_ids, OrderStatus.INVENTORY_RESERVED, with_payment=True)
            if credit_drawn_when_reserved(order)
        ]
        start_payments(orders)
    handled = {order.id for order in orders}
    return [order_id for order_id in order_ids if order_id not in handled]


def start_payments(orders: Sequence[Order]) -> list[Order]:
    """Do what `start_payment` does, in a constant number of statements, to those of
    the orders (locked by the caller, in one transaction with this) that are
    INVENTORY_RESERVED with their credit drawn, or paying by card with no payment yet:
    the first go on to PAID, the others get a pending card payment and stay in
    PAYMENT_PENDING, leased for STEP_LEASE_SECONDS, since the caller charges their
    cards next (`journey.steps.pay_cards.charge_cards`). Return those card orders.
    Any other order is left as it is, for `pay_one`."""
    on_account, cards = [], []
    for order in orders:
        if order.status != OrderStatus.INVENTORY_RESERVED:
            continue
        if credit_drawn_when_reserved(order):
            on_account.append(order)
        elif getattr(order, "payment", None) is None and order.partner.payment_method != Partner.PaymentMethod.ACCOUNT:
            cards.append(order)
    transition_many(
        [order for order in orders if order in on_account or order in cards],
        OrderStatus.PAYMENT_PENDING,
        due_in=settings.BOUQUET["STEP_LEASE_SECONDS"] if cards else 0,
    )
    transition_many(
        on_account, OrderStatus.PAID, details=dict.fromkeys((order.id for order in on_account), "on account")
    )
    payments.create_card_payments(orders=cards)
    return cards


def pay_one(order_id: int) -> None:
    """Start the payment if not started, then charge the card on file."""
    order = start_payment(order_id)
    if order.status != OrderStatus.PAYMENT_PENDING or order.hold:
        return
    with payments.payment_call_lock(order_id=order.id) as mine:
        if not mine:
            raise PaymentBusyError(
                f"Another worker is talking to Stripe for {order.number}.", retry_after=PAYMENT_BUSY_RECHECK_SECONDS
            )
        # Read under the lock: a worker that held it a moment ago may have stored a
        # PaymentIntent or settled the payment.
        payment = Payment.objects.get(order_id=order.id)
        if payment.method != Payment.Method.CARD or payment.status != Payment.Status.PENDING:
            return
        charge_card(order, payment)


def charge_card(order: Order, payment: Payment) -> None:
    """Drive the order's one PaymentIntent to an answer. The PaymentIntent's id is
    stored before it is confirmed, so a retry asks Stripe about the same one instead
    of creating another; an existing one is always re-read before acting."""
    partner = order.partner
    if payment.stripe_payment_intent_id:
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    else:
        if not (partner.stripe_customer_id and partner.stripe_payment_method_id):
            record_payment_declined(order.id, "No card on file for this partner.")
            return
        intent = create_payment_intent_for(order, payment)
        stored_id = payments.store_payment_intent(
            payment=payment, payment_intent_id=intent["id"], stripe_status=intent["status"]
        )
        if stored_id is None:
            # The order was cancelled while the PaymentIntent was made: it never charges.
            gateway.cancel_payment_intent(intent["id"])
            return
        if stored_id != intent["id"]:
            # Another worker stored its PaymentIntent first: drop ours, follow theirs.
            gateway.cancel_payment_intent(intent["id"])
            intent = gateway.retrieve_payment_intent(stored_id)

    if intent["status"] == "requires_confirmation":
        try:
            intent = gateway.confirm_payment_intent(intent["id"], idempotency_key=f"bouquet-order-{order.id}-confirm")
        except CardDeclinedError as declined:
            record_payment_declined(order.id, declined.message)
            return
    act_on_payment_intent(order, intent)


def create_payment_intent_for(order: Order, payment: Payment) -> dict:
    """Make the order's PaymentIntent for its card on file, under a key of the order's
    own, so that a repeat of the call (a lost answer, a retry) makes no second one."""
    partner = order.partner
    return gateway.create_payment_intent(
        amount=payment.amount,
        currency=payment.currency,
        customer_id=partner.stripe_customer_id,
        payment_method_id=partner.stripe_payment_method_id,
        idempotency_key=f"bouquet-order-{order.id}-payment-intent",
        metadata={"order": order.number, "order_id": str(order.id)},
    )


def act_on_payment_intent(order: Order, intent: dict) -> None:
    status = intent["status"]
    if status == "succeeded":
        record_payment_succeeded(order.id, intent["id"])
    elif status in ("requires_payment_method", "canceled"):
        error = (intent.get("last_payment_error") or {}).get("message") or f"PaymentIntent {status}."
        record_payment_declined(order.id, error)
    else:
        defer_order(order.id, seconds=PAYMENT_PROCESSING_RECHECK_SECONDS)
        logger.info("payment still processing", extra={"order": order.number, "stripe_status": status})


def record_payment_succeeded(order_id: int, payment_intent_id: str) -> None:
    """PAYMENT_PENDING -> PAID once, whoever learns of the charge first (the confirm
    call or the webhook). A charge that lands after the order was cancelled is
    marked for refund instead."""
    with transaction.atomic():
        order = lock_order(order_id)
        if record_payment_succeeded_locked(order, payment_intent_id):
            wake_on_commit("finalize")


def record_payment_succeeded_locked(order: Order, payment_intent_id: str) -> bool:
    """What `record_payment_succeeded` does, for an order whose row the caller has
    locked; return whether the order went on to PAID."""
    payment = payments.lock_payment(order_id=order.id)
    if order.status == OrderStatus.PAYMENT_PENDING:
        payments.mark_payment(payment, Payment.Status.SUCCEEDED, stripe_status="succeeded")
        transition(order, OrderStatus.PAID, detail=f"card charged ({payment_intent_id})")
        return True
    if order.status == OrderStatus.CANCELLED and payment.status in (Payment.Status.PENDING, Payment.Status.CANCELED):
        payments.mark_payment(payment, Payment.Status.REFUND_PENDING, stripe_status="succeeded")
        defer_order(order.id, seconds=0)
        logger.warning("charge landed after cancellation; refund due", extra={"order": order.number})
        wake_on_commit("refund")
    return False


def record_payment_declined(order_id: int, message: str) -> None:
    """PAYMENT_PENDING -> CANCELLED (`payment_declined`), releasing the stock."""
    with transaction.atomic():
        record_payment_declined_locked(lock_order(order_id), message)


def record_payment_declined_locked(order: Order, message: str) -> None:
    """What `record_payment_declined` does, for an order whose row the caller has locked."""
    if order.status != OrderStatus.PAYMENT_PENDING:
        return
    payment = payments.lock_payment(order_id=order.id)
    payments.mark_payment(payment, Payment.Status.DECLINED, last_error=message)
    cancel_locked_order(order, reason="payment_declined", detail=message, actor="stripe")
