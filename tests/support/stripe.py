"""What the tests do at the Stripe stand-in: give a partner a card on file, find the
PaymentIntents of an order, and leave one behind as a pay worker that died would."""

import requests
from django.conf import settings

from backoffice.audit import stripe_payment_intents
from journey.steps import pay
from partners.factories import PartnerFactory
from partners.models import Partner
from payments import gateway
from payments.models import Payment


def card_partner(code: str, card_number: str, home_warehouse) -> Partner:
    """A partner paying by card, with a customer and that card at the stand-in."""
    customer_id, payment_method_id = gateway.create_customer_with_card(
        name=code, email=f"{code.lower()}@example.com", card_number=card_number, reference=code
    )
    return PartnerFactory(
        code=code,
        payment_method=Partner.PaymentMethod.CARD,
        home_warehouse=home_warehouse,
        stripe_customer_id=customer_id,
        stripe_payment_method_id=payment_method_id,
    )


def payment_intents_for_order(order) -> list[dict]:
    """Every PaymentIntent the stand-in holds for this order (by our metadata and the
    partner's customer, which each test creates afresh)."""
    intents = stripe_payment_intents()
    assert intents is not None, "the Stripe stand-in did not list its PaymentIntents"
    return [
        pi
        for pi in intents
        if (pi.get("metadata") or {}).get("order_id") == str(order.id)
        and pi.get("customer") == order.partner.stripe_customer_id
    ]


def payment_intent_left_by_a_dead_worker(order, buyer, *, confirmed: bool) -> str:
    """What a pay worker leaves when it dies after storing the order's PaymentIntent
    (and, `confirmed`, after charging the card) but before recording Stripe's answer:
    the payment still pending. Returns the PaymentIntent's id."""
    pay.start_payment(order.id)
    payment = Payment.objects.get(order=order)
    intent = gateway.create_payment_intent(
        amount=payment.amount,
        currency="EUR",
        customer_id=buyer.stripe_customer_id,
        payment_method_id=buyer.stripe_payment_method_id,
        idempotency_key=f"died-{order.id}",
        metadata={"order_id": str(order.id)},
    )
    Payment.objects.filter(id=payment.id).update(stripe_payment_intent_id=intent["id"])
    if confirmed:
        gateway.confirm_payment_intent(intent["id"], idempotency_key=f"died-{order.id}-confirm")
    return intent["id"]


def stand_in_requests_served() -> dict:
    """The API requests the stand-in has served so far: {"total": n, "by_kind": {"GET charges": n, ...}}
    (scripts/stripe_stand_in.py counts them)."""
    answer = requests.get(f"{settings.STRIPE_API_BASE}/_config/requests", timeout=5)
    answer.raise_for_status()
    return answer.json()


def stand_in_events_about(object_ids: set[str]) -> list[dict]:
    """The events the stand-in made about these objects, oldest first, as it would post them."""
    events, params = [], {"limit": 100}
    while True:
        page = gateway.client().v1.events.list(params=params).to_dict()
        events.extend(e for e in page["data"] if e["data"]["object"].get("id") in object_ids)
        if not page.get("has_more") or not page["data"]:
            return sorted(events, key=lambda e: e["created"])
        params = {"limit": 100, "starting_after": page["data"][-1]["id"]}
