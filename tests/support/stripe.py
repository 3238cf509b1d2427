"""What the tests do at the Stripe stand-in: give a partner a card on file, find the
PaymentIntents of an order, and leave one behind as a pay worker that died would.

The two raw card numbers live here, in the tests alone: the demo and the benchmark
set their cards through SetupIntents with Stripe's test payment methods
(payments.cards_on_file), and the portal's cards go from the browser to Stripe."""

import requests
from django.conf import settings

from backoffice.audit import stripe_payment_intents
from journey.steps import pay
from partners.factories import PartnerFactory
from partners.models import Partner
from payments import gateway
from payments.models import Payment

# A card the stand-in charges.
VISA = "4242424242424242"
# A card the stand-in declines on confirm (402 card_declined). Stripe's usual
# 4000000000000002 does not decline a PaymentIntent there.
DECLINING_CARD = "4000000000000341"


def card_partner(code: str, card_number: str, home_warehouse) -> Partner:
    """A partner paying by card, with a customer and that card at the stand-in."""
    customer = gateway.create_customer(name=code, email=f"{code.lower()}@example.com", reference=code)
    # A raw number may go to the stand-in from a test; our code never sends one.
    method = gateway.client().v1.payment_methods.create(
        params={"type": "card", "card": {"number": card_number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}}
    )
    gateway.attach_payment_method(method.id, customer_id=customer["id"])
    return PartnerFactory(
        code=code,
        payment_method=Partner.PaymentMethod.CARD,
        home_warehouse=home_warehouse,
        stripe_customer_id=customer["id"],
        stripe_payment_method_id=method.id,
    )


def payment_intents_for_order(order) -> list[dict]:
    """Every PaymentIntent the stand-in holds for this order (by our metadata and the
    partner's customer, which each test creates afresh)."""
    return payment_intents_by_order([order])[order.id]


def payment_intents_by_order(orders) -> dict[int, list[dict]]:
    """The stand-in's PaymentIntents of each order, from one listing: the stand-in holds
    every intent of the test run and lists them 100 a page, so a listing per order made
    a test of 150 orders take minutes."""
    intents = stripe_payment_intents()
    assert intents is not None, "the Stripe stand-in did not list its PaymentIntents"
    found = {order.id: [] for order in orders}
    customers = {order.id: order.partner.stripe_customer_id for order in orders}
    for pi in intents:
        order_id = (pi.get("metadata") or {}).get("order_id")
        if order_id and order_id.isdigit() and customers.get(int(order_id)) == pi.get("customer"):
            found[int(order_id)].append(pi)
    return found


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
