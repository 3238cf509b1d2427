"""A card on file set through a SetupIntent at the Stripe stand-in: what saving one
does there and here, and every SetupIntent that must not become the partner's card
refused by name, with nothing changed."""

import pytest

from partners.factories import PartnerFactory
from partners.models import Partner
from payments import gateway
from payments.cards_on_file import CardSetupError, save_card_from_setup_intent, set_up_test_card, start_card_setup
from payments.exceptions import CardDeclinedError

pytestmark = pytest.mark.django_db


def card_payer(code: str) -> Partner:
    return PartnerFactory(code=code, payment_method=Partner.PaymentMethod.CARD, email=f"{code.lower()}@example.com")


def at_stripe(kind: str, object_id: str) -> dict:
    return gateway._call(f"retrieve {kind}", getattr(gateway.client().v1, kind).retrieve, object_id)


def confirmed_in_the_browser(partner: Partner, test_card: str = "pm_card_visa") -> str:
    """What the payment page's Stripe.js does: confirm the page's SetupIntent with a
    card, straight at Stripe. Returns the SetupIntent's id."""
    setup_intent = start_card_setup(partner)
    gateway._call(
        "confirm SetupIntent",
        gateway.client().v1.setup_intents.confirm,
        setup_intent["id"],
        params={"payment_method": test_card},
    )
    return setup_intent["id"]


def test_a_confirmed_setup_intent_becomes_the_partners_default_card(breaker_reset):
    partner = card_payer("LILY")
    setup_intent_id = confirmed_in_the_browser(partner)

    save_card_from_setup_intent(partner, setup_intent_id)

    partner.refresh_from_db()
    setup_intent = at_stripe("setup_intents", setup_intent_id)
    assert partner.stripe_payment_method_id == setup_intent["payment_method"]
    assert (partner.card_brand, partner.card_last4, partner.card_exp_month, partner.card_exp_year) == (
        "visa",
        "4242",
        12,
        2030,
    )
    customer = at_stripe("customers", partner.stripe_customer_id)
    assert customer["invoice_settings"]["default_payment_method"] == partner.stripe_payment_method_id
    assert at_stripe("payment_methods", partner.stripe_payment_method_id)["customer"] == partner.stripe_customer_id


def test_replacing_the_card_keeps_the_customer_and_leaves_the_old_card_attached(breaker_reset):
    partner = set_up_test_card(card_payer("LILY"), "pm_card_visa")
    customer_id, old_card = partner.stripe_customer_id, partner.stripe_payment_method_id

    set_up_test_card(partner, "pm_card_chargeCustomerFail")

    partner.refresh_from_db()
    assert partner.stripe_customer_id == customer_id
    assert partner.stripe_payment_method_id != old_card and partner.card_last4 == "0341"
    # An order in flight still confirms its PaymentIntent with the old card.
    assert at_stripe("payment_methods", old_card)["customer"] == customer_id


def test_a_forgotten_customer_is_made_again_for_the_demo(breaker_reset):
    partner = card_payer("LILY")
    Partner.objects.filter(id=partner.id).update(stripe_customer_id="cus_forgottenbythestandin")
    partner.refresh_from_db()

    set_up_test_card(partner, "pm_card_visa")

    partner.refresh_from_db()
    assert partner.stripe_customer_id.startswith("cus_") and partner.stripe_customer_id != "cus_forgottenbythestandin"
    assert at_stripe("customers", partner.stripe_customer_id)["metadata"] == {"partner": "LILY"}


def _unconfirmed(partner, other):
    return start_card_setup(partner)["id"]


def _another_customers(partner, other):
    return confirmed_in_the_browser(other)


def _declined(partner, other):
    setup_intent = start_card_setup(partner)
    with pytest.raises(CardDeclinedError):  # the stand-in cancels the SetupIntent too
        gateway._call(
            "confirm SetupIntent",
            gateway.client().v1.setup_intents.confirm,
            setup_intent["id"],
            params={"payment_method": "pm_card_visa_chargeDeclined"},
        )
    return setup_intent["id"]


@pytest.mark.parametrize(
    ("make_setup_intent", "refusal"),
    [
        (lambda partner, other: "seti_doesnotexist0000", "Stripe knows no SetupIntent seti_doesnotexist0000."),
        (lambda partner, other: "pm_card_visa", "setup_intent: 'pm_card_visa' is not a SetupIntent id."),
        (lambda partner, other: "", "setup_intent: '' is not a SetupIntent id."),
        (_another_customers, "is not for LILY's Stripe customer."),
        (_unconfirmed, "has not succeeded (its status is requires_payment_method)."),
        (_declined, "has not succeeded (its status is canceled)."),
    ],
    ids=["unknown", "not-an-id", "empty", "another-customers", "not-confirmed", "declined"],
)
def test_a_setup_intent_that_is_not_this_partners_succeeded_one_is_refused_and_changes_nothing(
    breaker_reset, make_setup_intent, refusal
):
    partner = set_up_test_card(card_payer("LILY"), "pm_card_visa")
    other = card_payer("ROSA")
    setup_intent_id = make_setup_intent(partner, other)
    before = Partner.objects.values().get(id=partner.id)
    default_before = at_stripe("customers", partner.stripe_customer_id)["invoice_settings"]

    with pytest.raises(CardSetupError) as refused:
        save_card_from_setup_intent(partner, setup_intent_id)

    assert refusal in refused.value.message
    assert Partner.objects.values().get(id=partner.id) == before
    assert at_stripe("customers", partner.stripe_customer_id)["invoice_settings"] == default_before


def test_only_stripes_test_payment_methods_are_confirmed_on_the_server(breaker_reset):
    partner = card_payer("LILY")

    with pytest.raises(CardSetupError, match="'4242424242424242' is not one of Stripe's test payment methods"):
        set_up_test_card(partner, "4242424242424242")

    partner.refresh_from_db()
    assert partner.stripe_customer_id == "" and partner.stripe_payment_method_id == ""
