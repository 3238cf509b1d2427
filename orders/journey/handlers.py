"""What each journey step does to one order. Every handler is safe to run twice or
from two workers at once: it locks the order, checks the state it expects, and
otherwise does nothing. Calls to Stripe happen outside any transaction."""

import logging
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from fulfillment import services as fulfillment
from inventory.exceptions import OutOfStockError
from inventory.services import Demand, OrderDemands, reserve_stock, reserve_stock_for_orders
from orders.journey.transitions import lock_order, lock_orders_in_status, set_hold, transition, transition_many
from orders.journey.wakeups import wake_on_commit
from orders.models import Order, OrderLine, OrderStatus
from orders.services.cancellation import cancel_locked_order
from partners.models import Partner
from partners.services import try_draw_credit, try_draw_credit_for_orders
from payments import gateway
from payments import services as payments
from payments.exceptions import CardDeclinedError, PaymentGatewayUnavailableError
from payments.models import Payment

logger = logging.getLogger("bouquet.journey")

S = OrderStatus

# How long to wait before asking Stripe again about a PaymentIntent that is neither
# succeeded nor failed yet.
PAYMENT_PROCESSING_RECHECK_SECONDS = 30


class PaymentBusyError(PaymentGatewayUnavailableError):
    """Come back shortly: another worker holds the order's Stripe conversation, or
    Stripe has not decided the charge yet. Not a failed attempt."""

    code = "payment_busy"


def order_demands(order: Order) -> list[Demand]:
    return [Demand(line.id, line.product_id, line.quantity) for line in order.lines.all()]


def reserve_order(order_id: int) -> None:
    """CREATED -> INVENTORY_RESERVED, or CANCELLED (`out_of_stock`) naming the SKUs short."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != S.CREATED:
            return
        try:
            reserve_stock(
                order_id=order.id,
                demands=order_demands(order),
                preferred_warehouse_id=order.partner.home_warehouse_id,
            )
        except OutOfStockError as short:
            transition(order, S.CANCELLED, reason="out_of_stock", detail=short.message)
            return
        transition(order, S.INVENTORY_RESERVED)


def reserve_orders(order_ids: Sequence[int]) -> list[int]:
    """Do what `reserve_order` does to each order, oldest first, for a whole batch in
    one transaction with a constant number of statements. Orders no longer CREATED
    are skipped, and none is left to the per-order path (the list returned is empty).
    Any error rolls back the whole batch (the caller then falls back to one order at
    a time)."""
    with transaction.atomic():
        orders = [order for order in lock_orders_in_status(order_ids, S.CREATED) if order.status == S.CREATED]
        if not orders:
            return []
        demands: dict[int, list[Demand]] = defaultdict(list)
        lines = (
            OrderLine.objects.filter(order_id__in=[order.id for order in orders])
            .order_by("order_id", "line_no").values_list("id", "order_id", "product_id", "quantity")
        )
        for line_id, order_id, product_id, quantity in lines:
            demands[order_id].append(Demand(line_id, product_id, quantity))
        short = reserve_stock_for_orders(
            orders=[OrderDemands(order.id, tuple(demands[order.id]), order.partner.home_warehouse_id) for order in orders]
        )
        transition_many([order for order in orders if order.id not in short], S.INVENTORY_RESERVED)
        transition_many(
            [order for order in orders if order.id in short], S.CANCELLED,
            reason="out_of_stock", details={order_id: error.message for order_id, error in short.items()},
        )
    return []


def start_payment(order_id: int) -> Order:
    """INVENTORY_RESERVED -> PAYMENT_PENDING with a payment row. On account, the credit
    check runs at once: within the limit the order goes on to PAID; past it the order
    waits on credit hold. Return the order as it now is."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != S.INVENTORY_RESERVED:
            return order
        transition(order, S.PAYMENT_PENDING)
        if order.partner.payment_method == Partner.PaymentMethod.ACCOUNT:
            within_limit, account = try_draw_credit(partner_id=order.partner_id, amount=order.total)
            if within_limit:
                payments.create_payment(order=order, method=Payment.Method.ACCOUNT, status=Payment.Status.SUCCEEDED)
                transition(order, S.PAID, detail="on account")
            else:
                payments.create_payment(order=order, method=Payment.Method.ACCOUNT, status=Payment.Status.HELD)
                set_hold([order.id], Order.Hold.CREDIT)
                order.hold = Order.Hold.CREDIT
                logger.info(
                    "order on credit hold",
                    extra={"order": order.number, "open_balance": str(account.open_balance),
                           "credit_limit": str(account.credit_limit), "total": str(order.total)},
                )
        else:
            payments.create_payment(order=order, method=Payment.Method.CARD, status=Payment.Status.PENDING)
    return order


def pay_orders(order_ids: Sequence[int]) -> list[int]:
    """Do what `start_payment` does to each on-account order, oldest first, for a
    whole batch in one transaction with a constant number of statements, and return
    the ids of the other orders, left for `pay_order` one by one: a card is charged
    outside any transaction, and an order in any other state needs what `pay_order`
    does with it. Any error rolls back the whole batch (the caller then falls back to
    one order at a time)."""
    with transaction.atomic():
        orders = [
            order for order in lock_orders_in_status(order_ids, S.INVENTORY_RESERVED)
            if order.status == S.INVENTORY_RESERVED and order.partner.payment_method == Partner.PaymentMethod.ACCOUNT
        ]
        checks = try_draw_credit_for_orders(orders=[(order.id, order.partner_id, order.total) for order in orders])
        # A partner without a credit row gets one from the per-order path.
        orders = [order for order in orders if order.id in checks]
        if not orders:
            return list(order_ids)
        drawn = {order.id for order in orders if checks[order.id][0]}
        transition_many(orders, S.PAYMENT_PENDING)
        payments.create_payments_on_account(orders=orders, succeeded_order_ids=drawn)
        transition_many([order for order in orders if order.id in drawn], S.PAID, details=dict.fromkeys(drawn, "on account"))
        held = [order for order in orders if order.id not in drawn]
        if held:
            set_hold([order.id for order in held], Order.Hold.CREDIT)
        for order in held:
            order.hold = Order.Hold.CREDIT
            _, open_balance, credit_limit = checks[order.id]
            logger.info(
                "order on credit hold",
                extra={"order": order.number, "open_balance": str(open_balance),
                       "credit_limit": str(credit_limit), "total": str(order.total)},
            )
    handled = {order.id for order in orders}
    return [order_id for order_id in order_ids if order_id not in handled]


def pay_order(order_id: int) -> None:
    """Start the payment if not started, then charge the card on file."""
    order = start_payment(order_id)
    if order.status != S.PAYMENT_PENDING or order.hold:
        return
    with payments.payment_call_lock(order_id=order.id) as mine:
        if not mine:
            raise PaymentBusyError(f"Another worker is talking to Stripe for {order.number}.", retry_after=5)
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
        intent = gateway.create_payment_intent(
            amount=payment.amount,
            currency=payment.currency,
            customer_id=partner.stripe_customer_id,
            payment_method_id=partner.stripe_payment_method_id,
            idempotency_key=f"bouquet-order-{order.id}-payment-intent",
            metadata={"order": order.number, "order_id": str(order.id)},
        )
        stored_id = payments.store_payment_intent(payment=payment, payment_intent_id=intent["id"], stripe_status=intent["status"])
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


def act_on_payment_intent(order: Order, intent: dict) -> None:
    status = intent["status"]
    if status == "succeeded":
        record_payment_succeeded(order.id, intent["id"])
    elif status in ("requires_payment_method", "canceled"):
        error = (intent.get("last_payment_error") or {}).get("message") or f"PaymentIntent {status}."
        record_payment_declined(order.id, error)
    else:
        Order.objects.filter(id=order.id).update(next_attempt_at=_later(PAYMENT_PROCESSING_RECHECK_SECONDS))
        logger.info("payment still processing", extra={"order": order.number, "stripe_status": status})


def _later(seconds: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(seconds=seconds)


def record_payment_succeeded(order_id: int, payment_intent_id: str) -> None:
    """PAYMENT_PENDING -> PAID once, whoever learns of the charge first (the confirm
    call or the webhook). A charge that lands after the order was cancelled is
    marked for refund instead."""
    with transaction.atomic():
        order = lock_order(order_id)
        payment = payments.lock_payment(order_id=order.id)
        if order.status == S.PAYMENT_PENDING:
            payments.mark_payment(payment, Payment.Status.SUCCEEDED, stripe_status="succeeded")
            transition(order, S.PAID, detail=f"card charged ({payment_intent_id})")
            wake_on_commit("finalize")
        elif order.status == S.CANCELLED and payment.status in (Payment.Status.PENDING, Payment.Status.CANCELED):
            payments.mark_payment(payment, Payment.Status.REFUND_PENDING, stripe_status="succeeded")
            Order.objects.filter(id=order.id).update(next_attempt_at=_later(0))
            logger.warning("charge landed after cancellation; refund due", extra={"order": order.number})
            wake_on_commit("refund")


def record_payment_declined(order_id: int, message: str) -> None:
    """PAYMENT_PENDING -> CANCELLED (`payment_declined`), releasing the stock."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != S.PAYMENT_PENDING:
            return
        payment = payments.lock_payment(order_id=order.id)
        payments.mark_payment(payment, Payment.Status.DECLINED, last_error=message)
        cancel_locked_order(order, reason="payment_declined", detail=message, actor="stripe")


def finalize_order(order_id: int) -> None:
    """PAID -> CONFIRMED: one shipment per warehouse from the reservations, re-routing
    away from a warehouse that closed meanwhile, or CANCELLED if none can serve."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != S.PAID:
            return
        try:
            fulfillment.reroute_from_closed_warehouses(order=order)
        except OutOfStockError as short:
            cancel_locked_order(
                order, reason="warehouse_unavailable",
                detail=f"A reserved warehouse closed and no other can serve: {short.message}",
            )
            wake_on_commit("refund")
            return
        fulfillment.create_shipments(order=order)
        transition(order, S.CONFIRMED)


def finalize_orders(order_ids: Sequence[int]) -> list[int]:
    """Do what `finalize_order` does to each order, oldest first, for a whole batch in
    one transaction with a constant number of statements; orders no longer PAID are
    skipped. Return the ids of orders holding a reservation in a warehouse that closed
    meanwhile, left untouched for `finalize_order`: re-routing is rare, and one at a
    time it keeps its own attempts and backoff. Any error rolls back the whole batch
    (the caller then falls back to one order at a time)."""
    with transaction.atomic():
        orders = [order for order in lock_orders_in_status(order_ids, S.PAID) if order.status == S.PAID]
        if not orders:
            return []
        closed = fulfillment.create_shipments_for_orders(order_ids=[order.id for order in orders])
        transition_many([order for order in orders if order.id not in closed], S.CONFIRMED)
    return sorted(closed)


def refund_order(order_id: int) -> None:
    """Undo a cancelled order's card payment at Stripe, once: refund its charge, or
    cancel a PaymentIntent that never charged, so that it never can."""
    payment = Payment.objects.select_related("order").get(order_id=order_id)
    if payment.status != Payment.Status.REFUND_PENDING:
        return
    with payments.payment_call_lock(order_id=order_id) as mine:
        if not mine:
            raise PaymentBusyError(f"Another worker is talking to Stripe for {payment.order.number}.", retry_after=5)
        payment.refresh_from_db(fields=["status"])
        if payment.status != Payment.Status.REFUND_PENDING:
            return
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        if intent["status"] == "processing":
            raise PaymentBusyError(f"Stripe is still processing the charge of {payment.order.number}.",
                                   retry_after=PAYMENT_PROCESSING_RECHECK_SECONDS)
        if intent["status"] == "succeeded":
            refund_id = gateway.refund_payment_intent(
                payment.stripe_payment_intent_id, idempotency_key=f"bouquet-order-{order_id}-refund", intent=intent,
            )
        else:
            if intent["status"] != "canceled":
                # If it charged after all since it was read, Stripe refuses and the
                # step's retry finds it succeeded.
                gateway.cancel_payment_intent(payment.stripe_payment_intent_id)
            refund_id = None
    if payments.mark_settled_at_stripe(payment=payment, refund_id=refund_id):
        if refund_id:
            logger.info("card refunded", extra={"order": payment.order.number, "refund": refund_id})
        else:
            logger.info("uncharged PaymentIntent cancelled", extra={"order": payment.order.number})


__all__ = [
    "finalize_order",
    "finalize_orders",
    "pay_order",
    "pay_orders",
    "record_payment_declined",
    "record_payment_succeeded",
    "refund_order",
    "reserve_order",
    "reserve_orders",
]

