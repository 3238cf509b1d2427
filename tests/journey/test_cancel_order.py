"""Cancelling gives back stock and undoes the payment, until CONFIRMED."""

import pytest

from inventory.models import Stock
from orders.cancellation import cancel_order
from orders.exceptions import NotCancellableError
from orders.models import OrderStatus
from partners.models import CreditAccount
from payments.models import Payment
from tests.support.journey import drive_journey, place, run_step_alone
from tests.support.stripe import payment_intent_left_by_a_dead_worker, payment_intents_for_order

pytestmark = pytest.mark.django_db


def test_cancelling_a_paid_card_order_releases_stock_and_refunds_once(card_buyer, warehouses, make_product):
    make_product("ROSE-C1", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-C1": 20})
    run_step_alone("reserve")
    run_step_alone("pay")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    cancel_order(order_id=order.id, reason="changed my mind", actor="bloom")
    drive_journey()
    drive_journey()

    order.refresh_from_db()
    assert (order.status, order.cancel_reason, order.cancel_detail) == (
        OrderStatus.CANCELLED,
        "cancelled",
        "changed my mind",
    )
    assert Stock.objects.get(product__sku="ROSE-C1").reserved == 0
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.REFUNDED and payment.stripe_refund_id
    [intent] = payment_intents_for_order(order)
    assert len(intent["latest_charge"]["refunds"]["data"]) == 1


def test_cancelling_an_on_account_order_returns_the_credit(account_buyer, warehouses, make_product):
    make_product("PLANT-C", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="10.00")
    order = place(account_buyer, {"PLANT-C": 5})
    run_step_alone("reserve")
    run_step_alone("pay")
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 50

    cancel_order(order_id=order.id, actor="fern")

    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0
    assert Payment.objects.get(order=order).status == Payment.Status.CANCELED


def test_cancelling_a_new_order_needs_no_payment(card_buyer, warehouses, make_product):
    make_product("ROSE-C2", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-C2": 20})

    cancel_order(order_id=order.id, actor="erp")
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Stock.objects.get(product__sku="ROSE-C2").reserved == 0
    assert list(order.events.values_list("to_status", flat=True)) == [OrderStatus.CREATED, OrderStatus.CANCELLED]


def test_cancelling_twice_is_a_no_op(card_buyer, warehouses, make_product):
    make_product("ROSE-C3", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-C3": 20})

    cancel_order(order_id=order.id, actor="erp")
    cancel_order(order_id=order.id, actor="erp")

    assert order.events.filter(to_status=OrderStatus.CANCELLED).count() == 1


def test_a_confirmed_order_cannot_be_cancelled(account_buyer, warehouses, make_product):
    make_product("PLANT-C4", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    order = place(account_buyer, {"PLANT-C4": 1})
    drive_journey()

    with pytest.raises(NotCancellableError) as refused:
        cancel_order(order_id=order.id, actor="fern")

    assert refused.value.code == "not_cancellable"
    assert order.number in refused.value.message and "CONFIRMED" in refused.value.message
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


@pytest.mark.parametrize(
    ("confirmed", "settled"),
    [
        pytest.param(True, Payment.Status.REFUNDED, id="charged: refunded"),
        pytest.param(False, Payment.Status.CANCELED, id="never confirmed: cancelled at Stripe"),
    ],
)
def test_an_order_cancelled_after_its_pay_worker_died_is_settled_at_stripe(
    card_buyer, warehouses, make_product, confirmed, settled
):
    make_product("ROSE-C2", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-C2": 10})
    run_step_alone("reserve")
    payment_intent_left_by_a_dead_worker(order, card_buyer, confirmed=confirmed)

    cancel_order(order_id=order.id, reason="too late", actor="bloom")
    drive_journey()

    payment = Payment.objects.get(order=order)
    assert payment.status == settled and bool(payment.stripe_refund_id) == confirmed
    [at_stripe] = payment_intents_for_order(order)
    if confirmed:
        assert at_stripe["status"] == "succeeded" and len(at_stripe["latest_charge"]["refunds"]["data"]) == 1
    else:
        assert at_stripe["status"] == "canceled"


def test_a_payment_cancelled_while_its_worker_creates_the_payment_intent_is_never_charged(
    card_buyer, warehouses, make_product, monkeypatch
):
    from journey.steps import pay
    from payments import gateway

    make_product("ROSE-C4", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-C4": 10})
    run_step_alone("reserve")
    real_create = gateway.create_payment_intent

    def create_while_the_buyer_cancels(**kwargs):
        intent = real_create(**kwargs)
        cancel_order(order_id=order.id, reason="changed my mind", actor="bloom")
        return intent

    monkeypatch.setattr(gateway, "create_payment_intent", create_while_the_buyer_cancels)
    pay.pay_one(order.id)
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get(order=order).status == Payment.Status.CANCELED
    [at_stripe] = payment_intents_for_order(order)
    assert at_stripe["status"] == "canceled"
