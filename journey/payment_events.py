"""What Stripe tells us about a payment: the webhook door. It verifies the signature,
records the event once per id, and wakes the pay step for the order waiting on the
PaymentIntent, if one still waits. It never moves the order itself: the pay step
re-reads the PaymentIntent and acts on what Stripe says now, so redelivered and
out-of-order events change nothing. Two statements, since every card order brings one
to the same web workers as intake. It lives with the journey, not in `payments`,
because it wakes a step: `payments` knows nothing of orders."""

import json
import logging

import stripe
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.metrics import count_webhook
from orders.wakeups import wake_on_commit
from payments.services import record_stripe_event

logger = logging.getLogger("bouquet.payments")  # the webhook's log lines keep their logger name


@csrf_exempt
@require_POST
def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    try:
        sent = request.body.decode("utf-8")
        # What stripe.Webhook.construct_event checks, without building the SDK's event
        # object, which nothing here uses. verify_header checks the signature's age only
        # when given a tolerance: without one, a captured event could be replayed for ever.
        stripe.WebhookSignature.verify_header(
            sent,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
        payload = json.loads(sent)
        event = {"id": str(payload["id"]), "type": str(payload["type"])}
    except (ValueError, KeyError, TypeError, stripe.SignatureVerificationError) as exc:
        logger.warning("webhook refused", extra={"error": type(exc).__name__})
        count_webhook("refused")
        return JsonResponse(
            {"code": "invalid_signature", "detail": "The Stripe signature or payload is not valid."}, status=400
        )

    data_object = (payload.get("data") or {}).get("object") or {}
    payment_intent_id = data_object.get("id", "") if data_object.get("object") == "payment_intent" else ""
    if not record_stripe_event(
        event_id=event["id"], event_type=event["type"], payment_intent_id=payment_intent_id, payload=sent
    ):
        logger.info("duplicate webhook skipped", extra={"event": event["id"], "type": event["type"]})
        count_webhook("duplicate")
        return JsonResponse({"status": "duplicate"})

    order_id = wake_order_waiting_on(payment_intent_id=payment_intent_id) if payment_intent_id else None
    logger.info("webhook recorded", extra={"event": event["id"], "type": event["type"], "order_id": order_id})
    count_webhook("recorded")
    return JsonResponse({"status": "recorded"})


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
