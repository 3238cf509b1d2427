"""An order in flight keeps the card it was charged with. "In flight" is an order whose
PaymentIntent exists: the pay step names the partner's card only when it creates the
PaymentIntent, and afterwards confirms and re-reads that PaymentIntent, which carries
its card. An order still waiting for its PaymentIntent is charged the card on file
when the pay step reaches it, the new one."""

import pytest

from orders.models import OrderStatus
from payments.cards_on_file import set_up_test_card
from payments.models import Payment
from tests.support.journey import drive_journey, place, run_step_alone
from tests.support.stripe import payment_intent_left_by_a_dead_worker, payment_intents_for_order

pytestmark = pytest.mark.django_db


def test_an_order_with_a_payment_intent_keeps_its_card_when_the_card_on_file_is_replaced(
    card_buyer, warehouses, make_product
):
    make_product("ROSE-INFLIGHT", stock={warehouses["AMS"]: 100}, case_pack=10)
    in_flight = place(card_buyer, {"ROSE-INFLIGHT": 10})
    not_yet_charged = place(card_buyer, {"ROSE-INFLIGHT": 20})
    run_step_alone("reserve")
    old_card = card_buyer.stripe_payment_method_id
    # The pay worker made the first order's PaymentIntent and was stopped before confirming it.
    payment_intent_left_by_a_dead_worker(in_flight, card_buyer, confirmed=False)

    # The partner admin replaces the card with one that Stripe declines when charged.
    set_up_test_card(card_buyer, "pm_card_chargeCustomerFail")
    new_card = card_buyer.stripe_payment_method_id
    drive_journey()

    in_flight.refresh_from_db()
    [charged] = payment_intents_for_order(in_flight)
    assert (charged["payment_method"], charged["status"]) == (old_card, "succeeded")
    assert in_flight.status == OrderStatus.CONFIRMED
    not_yet_charged.refresh_from_db()
    [declined] = payment_intents_for_order(not_yet_charged)
    assert declined["payment_method"] == new_card != old_card
    assert not_yet_charged.status == OrderStatus.CANCELLED
    assert Payment.objects.get(order=not_yet_charged).status == Payment.Status.DECLINED
