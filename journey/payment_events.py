"""What Stripe tells us about a payment: the webhook door. It verifies the signature,
records the event once per id, and wakes the pay step for the order waiting on the
PaymentIntent, if one still waits. It never moves the order itself: the pay step
re-reads the PaymentIntent and acts on what Stripe says now, so redelivered and
out-of-order events change nothing. One statement, since every card order brings an
event. It lives with the journey, not in `payments`, because it wakes a step:
`payments` knows nothing of orders."""

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
from payments.services import RECORD_EVENT_SQL

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
    recorded, order_id = record_event_and_make_due(
        event_id=event["id"], event_type=event["type"], payment_intent_id=payment_intent_id, payload=sent
    )
    if not recorded:
        logger.info("duplicate webhook skipped", extra={"event": event["id"], "type": event["type"]})
        count_webhook("duplicate")
        return JsonResponse({"status": "duplicate"})
    logger.info("webhook recorded", extra={"event": event["id"], "type": event["type"], "order_id": order_id})
    count_webhook("recorded")
    return JsonResponse({"status": "recorded"})


# The order is made due only for an event not seen before (a redelivery wakes nothing),
# in the statement that records it: the webhook pool runs in autocommit, so this is one
# round trip and one transaction a webhook.
_RECORD_AND_MAKE_DUE_SQL = f"""
WITH recorded AS ({RECORD_EVENT_SQL}), due AS (
    UPDATE orders_order o
       SET next_attempt_at = statement_timestamp()
      FROM payments_payment p
     WHERE EXISTS (SELECT 1 FROM recorded) AND %(payment_intent_id)s <> ''
       AND p.stripe_payment_intent_id = %(payment_intent_id)s AND o.id = p.order_id
       AND o.status = 'PAYMENT_PENDING' AND o.hold = ''
    RETURNING o.id
)
SELECT EXISTS (SELECT 1 FROM recorded), (SELECT id FROM due)
"""


def record_event_and_make_due(
    *, event_id: str, event_type: str, payment_intent_id: str, payload: str
) -> tuple[bool, int | None]:
    """Record a Stripe event once per id and, if it is new and about a PaymentIntent
    (`payment_intent_id`, else ""), make the order waiting on that PaymentIntent due for
    its pay step now and wake the step, which re-reads the PaymentIntent and acts on
    what Stripe says then. Return whether the event was new, and the id of the order
    made due: None when no order waits on it (it has moved on: the confirm call
    answered first, the usual case, or it was cancelled and the refund step settles it),
    or the PaymentIntent is not ours. One statement."""
    parameters = {
        "event_id": event_id,
        "event_type": event_type,
        "payment_intent_id": payment_intent_id,
        "payload": payload,
    }
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_AND_MAKE_DUE_SQL, parameters)
        recorded, order_id = cursor.fetchone()
    if order_id is not None:
        wake_on_commit("pay")
    return recorded, order_id
