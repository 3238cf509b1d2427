"""Stripe's webhook: verify the signature, record the event once per id, and wake the
journey for the order it concerns. It never moves the order itself: the pay step
re-reads the PaymentIntent and acts on what Stripe says now, so redelivered and
out-of-order events change nothing."""

import json
import logging

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.services.operations import redrive_order
from payments.models import Payment
from payments.services import record_stripe_event

logger = logging.getLogger("bouquet.payments")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe.Webhook.construct_event(request.body, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        logger.warning("webhook refused", extra={"error": type(exc).__name__})
        return JsonResponse({"code": "invalid_signature", "detail": "The Stripe signature or payload is not valid."}, status=400)

    payload = json.loads(request.body)
    data_object = (payload.get("data") or {}).get("object") or {}
    payment_intent_id = data_object.get("id", "") if data_object.get("object") == "payment_intent" else ""
    if not record_stripe_event(event_id=event["id"], event_type=event["type"], payment_intent_id=payment_intent_id, payload=payload):
        logger.info("duplicate webhook skipped", extra={"event": event["id"], "type": event["type"]})
        return JsonResponse({"status": "duplicate"})

    order_id = None
    if payment_intent_id:
        order_id = Payment.objects.filter(stripe_payment_intent_id=payment_intent_id).values_list("order_id", flat=True).first()
    if order_id is not None:
        redrive_order(order_id=order_id, actor=f"stripe:{event['type']}")
    logger.info("webhook recorded", extra={"event": event["id"], "type": event["type"], "order_id": order_id})
    return JsonResponse({"status": "recorded"})
