"""The refund step: a cancelled order whose card was charged gets its refund at Stripe."""

import logging

from journey.steps.pay import PAYMENT_BUSY_RECHECK_SECONDS, PAYMENT_PROCESSING_RECHECK_SECONDS, PaymentBusyError
from payments import gateway
from payments import services as payments
from payments.models import Payment

logger = logging.getLogger("bouquet.journey")


def refund_one(order_id: int) -> None:
    """Undo a cancelled order's card payment at Stripe, once: refund its charge, or
    cancel a PaymentIntent that never charged, so that it never can."""
    payment = Payment.objects.select_related("order").get(order_id=order_id)
    if payment.status != Payment.Status.REFUND_PENDING:
        return
    with payments.payment_call_lock(order_id=order_id) as mine:
        if not mine:
            raise PaymentBusyError(
                f"Another worker is talking to Stripe for {payment.order.number}.",
                retry_after=PAYMENT_BUSY_RECHECK_SECONDS,
            )
        payment.refresh_from_db(fields=["status"])
        if payment.status != Payment.Status.REFUND_PENDING:
            return
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        if intent["status"] == "processing":
            raise PaymentBusyError(
                f"Stripe is still processing the charge of {payment.order.number}.",
                retry_after=PAYMENT_PROCESSING_RECHECK_SECONDS,
            )
        if intent["status"] == "succeeded":
            refund_id = gateway.refund_payment_intent(
                payment.stripe_payment_intent_id,
                idempotency_key=f"bouquet-order-{order_id}-refund",
                intent=intent,
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
