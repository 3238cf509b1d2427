"""Stripe's webhook: verify the signature, record the event once per id, and wake the
pay step for the order waiting on the PaymentIntent, if one still waits. It never
moves the order itself: the pay step re-reads the PaymentIntent and acts on what
Stripe says now, so redelivered and out-of-order events change nothing. Two
statements, since every card order brings one to the same web workers as intake."""

import json
import logging

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.services.operations import wake_order_waiting_on
from payments.services import record_stripe_event

logger = logging.getLogger("bouquet.payments")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    try:
        # What stripe.Webhook.construct_event checks, without building the SDK's event
        # object, which nothing here uses.
        stripe.WebhookSignature.verify_header(request.body.decode("utf-8"), signature, settings.STRIPE_WEBHOOK_SECRET)
        payload = json.loads(request.body)
        event = {"id": str(payload["id"]), "type": str(payload["type"])}
    except (ValueError, KeyError, TypeError, stripe.SignatureVerificationError) as exc:
        logger.warning("webhook refused", extra={"error": type(exc).__name__})
        return JsonResponse({"code": "invalid_signature", "detail": "The Stripe signature or payload is not valid."}, status=400)

    data_object = (payload.get("data") or {}).get("object") or {}
    payment_intent_id = data_object.get("id", "") if data_object.get("object") == "payment_intent" else ""
    if not record_stripe_event(event_id=event["id"], event_type=event["type"], payment_intent_id=payment_intent_id, payload=payload):
        logger.info("duplicate webhook skipped", extra={"event": event["id"], "type": event["type"]})
        return JsonResponse({"status": "duplicate"})

    order_id = wake_order_waiting_on(payment_intent_id=payment_intent_id) if payment_intent_id else None
    logger.info("webhook recorded", extra={"event": event["id"], "type": event["type"], "order_id": order_id})
    return JsonResponse({"status": "recorded"})
