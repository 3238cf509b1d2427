"""A partner's card on file, set up through a Stripe SetupIntent: the portal's payment
page asks for one (`start_card_setup`), Stripe.js confirms it in the browser with the
card's number, which never reaches us, and the page then hands us its id
(`save_card_from_setup_intent`), which makes its payment method the partner's default
for off-session charges. The demo and the benchmark set their cards the same way,
confirming with Stripe's test payment methods on the server (`set_up_test_card`).

An order whose PaymentIntent exists keeps the card it carries: the pay step names the
partner's payment method only when it creates the PaymentIntent, and confirms and
re-reads that PaymentIntent afterwards. So the card replaced here is not detached from
the customer: an order in flight is still charged with it.

The Stripe calls are the gateway's (timeouts, circuit breaker, our errors); none is
made while rows are locked."""

import re

import stripe

from partners.models import Partner
from payments import gateway
from payments.exceptions import PaymentError

SETUP_INTENT_ID = re.compile(r"seti_[A-Za-z0-9]{1,64}")


class CardSetupError(PaymentError):
    """The SetupIntent the page handed us cannot become this partner's card on file."""

    code = "card_setup_invalid"


def start_card_setup(partner: Partner) -> dict:
    """Create a SetupIntent for a card the partner will be charged with off-session, for
    the browser to confirm; return it (its `client_secret` is for the page alone)."""
    customer_id = ensure_customer(partner)
    return gateway.create_setup_intent(customer_id=customer_id, reference=partner.code)


def ensure_customer(partner: Partner, *, check_at_stripe: bool = False) -> str:
    """Return the partner's Stripe customer, creating it if the partner has none (or,
    `check_at_stripe`, if Stripe no longer knows it: the stand-in starts empty)."""
    known = partner.stripe_customer_id
    if known and not (check_at_stripe and gateway.find_customer(known) is None):
        return known
    customer = gateway.create_customer(name=partner.name, email=partner.email, reference=partner.code)
    # Only over the customer we started from: of two admins opening the page at once,
    # both follow whichever customer was stored first (the other stays unused at Stripe).
    Partner.objects.filter(id=partner.id, stripe_customer_id=known).update(stripe_customer_id=customer["id"])
    partner.stripe_customer_id = Partner.objects.values_list("stripe_customer_id", flat=True).get(id=partner.id)
    return partner.stripe_customer_id


def save_card_from_setup_intent(partner: Partner, setup_intent_id: str) -> Partner:
    """Make the payment method of this succeeded SetupIntent, of this partner's customer,
    the partner's card on file: ours for the next order's PaymentIntent, and the
    customer's default at Stripe. Anything else raises CardSetupError and changes
    nothing."""
    setup_intent = _setup_intent_for(partner, setup_intent_id)
    method = setup_intent["payment_method"]
    if method.get("type") != "card" or not method.get("card"):
        raise CardSetupError(f"SetupIntent {setup_intent_id} did not set up a card.")
    if method.get("customer") not in (None, partner.stripe_customer_id):
        raise CardSetupError(f"The card of SetupIntent {setup_intent_id} belongs to another Stripe customer.")
    if method.get("customer") is None:
        # Stripe attaches the card to the SetupIntent's customer when it succeeds;
        # the stand-in does not, and a PaymentIntent needs it attached.
        gateway.attach_payment_method(method["id"], customer_id=partner.stripe_customer_id)
    gateway.set_default_payment_method(partner.stripe_customer_id, method["id"])
    card = method["card"]
    fields = {
        "stripe_payment_method_id": method["id"],
        "card_brand": str(card.get("brand") or "")[:20],
        "card_last4": str(card.get("last4") or "")[:4],
        "card_exp_month": card.get("exp_month"),
        "card_exp_year": card.get("exp_year"),
    }
    Partner.objects.filter(id=partner.id).update(**fields)
    for name, value in fields.items():
        setattr(partner, name, value)
    return partner


def _setup_intent_for(partner: Partner, setup_intent_id: str) -> dict:
    """The SetupIntent, with its payment method, if it is a succeeded off-session one of
    this partner's customer; else CardSetupError naming what is wrong."""
    if not isinstance(setup_intent_id, str) or not SETUP_INTENT_ID.fullmatch(setup_intent_id):
        raise CardSetupError(f"setup_intent: {str(setup_intent_id)[:80]!r} is not a SetupIntent id.")
    try:
        setup_intent = gateway.retrieve_setup_intent(setup_intent_id)
    except PaymentError as exc:
        if isinstance(exc.__cause__, stripe.InvalidRequestError):
            raise CardSetupError(f"Stripe knows no SetupIntent {setup_intent_id}.") from exc
        raise
    if not partner.stripe_customer_id or setup_intent.get("customer") != partner.stripe_customer_id:
        raise CardSetupError(f"SetupIntent {setup_intent_id} is not for {partner.code}'s Stripe customer.")
    if setup_intent.get("status") != "succeeded":
        raise CardSetupError(
            f"SetupIntent {setup_intent_id} has not succeeded (its status is {setup_intent.get('status')})."
        )
    if setup_intent.get("usage") != "off_session":
        raise CardSetupError(f"SetupIntent {setup_intent_id} is not for off-session charges.")
    if not isinstance(setup_intent.get("payment_method"), dict):
        raise CardSetupError(f"SetupIntent {setup_intent_id} has no payment method.")
    return setup_intent


def set_up_test_card(partner: Partner, test_payment_method: str) -> Partner:
    """Give the partner a card on file from one of Stripe's test payment methods
    (`pm_card_visa`, `pm_card_chargeCustomerFail`), through a SetupIntent confirmed on
    the server, which Stripe allows with those in test mode only; then save it as the
    portal does. For the demo and the benchmark: no card number in our code."""
    if not test_payment_method.startswith("pm_card_"):
        raise CardSetupError(f"{test_payment_method!r} is not one of Stripe's test payment methods (pm_card_...).")
    ensure_customer(partner, check_at_stripe=True)
    setup_intent = start_card_setup(partner)
    gateway.confirm_setup_intent(setup_intent["id"], payment_method_id=test_payment_method)
    return save_card_from_setup_intent(partner, setup_intent["id"])
