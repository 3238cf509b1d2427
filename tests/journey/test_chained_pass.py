"""The chained pass (journey.chain): a claimed batch goes as far as each order can go at
once, ending exactly as the steps one order at a time would; card payments are charged
as a batch, each order's answer recorded for it alone."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from inventory.models import Reservation, Stock
from journey import chain
from journey.runner import STEPS, claim_orders
from journey.steps import finalize, pay, reserve
from orders.models import Order, OrderStatus
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import CreditAccount, Partner
from payments import gateway
from payments.models import Payment
from tests.support.journey import PATH_TO_CONFIRMED, drive_journey, place, run_step_alone
from tests.support.stripe import VISA, card_partner, payment_intents_for_order

pytestmark = pytest.mark.django_db


def ended(order: Order) -> tuple:
    order.refresh_from_db()
    payment = Payment.objects.filter(order=order).values_list("method", "status", "amount").first()
    events = list(order.events.values_list("from_status", "to_status", "reason"))
    return order.status, order.hold, order.cancel_reason, payment, events, order.shipments.count()


def test_a_chained_batch_ends_exactly_as_each_step_one_order_at_a_time_would(
    warehouses, make_product, declining_buyer, breaker_reset
):
    buyers = {}
    for prefix in ("O", "B"):
        make_product(f"{prefix}CH-1", stock={warehouses["RTM"]: 60}, case_pack=1, list_price="1.00")
        fern = PartnerFactory(
            code=f"{prefix}FERN",
            payment_method=Partner.PaymentMethod.ACCOUNT,
            home_warehouse=warehouses["RTM"],
            credit=None,
        )
        CreditAccountFactory(partner=fern, credit_limit="15.00")
        buyers[prefix] = [fern, card_partner(f"{prefix}BLOOM", VISA, warehouses["AMS"]), declining_buyer]
    rng = random.Random(5)
    wishes = [(rng.randrange(3), rng.randint(1, 12)) for _ in range(14)]
    placed = {
        prefix: [place(buyers[prefix][buyer], {f"{prefix}CH-1": quantity}) for buyer, quantity in wishes]
        for prefix in ("O", "B")
    }

    for one_order in (reserve.reserve_one, pay.pay_one, finalize.finalize_one):
        for order in placed["O"]:
            one_order(order.id)
    assert chain.reserve_and_go_on([order.id for order in placed["B"]]) == []

    one_by_one = [ended(order) for order in placed["O"]]
    chained = [ended(order) for order in placed["B"]]
    assert chained == one_by_one
    # Confirmed, declined, held past the headroom and short of stock all happened.
    assert {(status, hold, reason) for status, hold, reason, *_ in chained} == {
        (OrderStatus.CONFIRMED, "", ""),
        (OrderStatus.CANCELLED, "", "payment_declined"),
        (OrderStatus.CANCELLED, "", "out_of_stock"),
        (OrderStatus.CREATED, Order.Hold.CREDIT, ""),
    }
    balances = [CreditAccount.objects.get(partner=buyers[prefix][0]).open_balance for prefix in ("O", "B")]
    assert balances[0] == balances[1] > 0
    reserved = [Stock.objects.get(product__sku=f"{prefix}CH-1").reserved for prefix in ("O", "B")]
    assert reserved[0] == reserved[1] > 0


def test_a_declined_card_in_a_batch_cancels_only_its_order_and_releases_its_stock(
    card_buyer, declining_buyer, warehouses, make_product
):
    make_product("CH-DECL", stock={warehouses["AMS"]: 100}, case_pack=10)
    first, declined, last = (place(buyer, {"CH-DECL": 10}) for buyer in (card_buyer, declining_buyer, card_buyer))

    chain.reserve_and_go_on([first.id, declined.id, last.id])

    assert [ended(order)[:3] for order in (first, declined, last)] == [
        (OrderStatus.CONFIRMED, "", ""),
        (OrderStatus.CANCELLED, "", "payment_declined"),
        (OrderStatus.CONFIRMED, "", ""),
    ]
    assert Payment.objects.get(order=declined).status == Payment.Status.DECLINED
    assert not Reservation.objects.filter(order_id=declined.id, status=Reservation.Status.ACTIVE).exists()
    assert Stock.objects.get(product__sku="CH-DECL").reserved == 20
    for order in (first, last):
        [intent] = payment_intents_for_order(order)
        assert intent["status"] == "succeeded"


def sepa_partner(code: str, home_warehouse) -> Partner:
    """A partner whose payment method at the stand-in is a SEPA debit its bank refuses:
    Stripe answers its confirmed PaymentIntent `processing`, and fails it half a second
    later."""
    client = gateway.client()
    customer = client.v1.customers.create(params={"name": code})
    method = client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "DE62370400440532013001"}}
    )
    client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    return PartnerFactory(
        code=code,
        payment_method=Partner.PaymentMethod.CARD,
        home_warehouse=home_warehouse,
        stripe_customer_id=customer.id,
        stripe_payment_method_id=method.id,
    )


def test_a_payment_intent_still_processing_defers_only_its_order(card_buyer, warehouses, make_product):
    make_product("CH-SLOW", stock={warehouses["AMS"]: 100}, case_pack=10)
    slow_buyer = sepa_partner("SLOW", warehouses["AMS"])
    first, slow, last = (place(buyer, {"CH-SLOW": 10}) for buyer in (card_buyer, slow_buyer, card_buyer))

    chain.reserve_and_go_on([first.id, slow.id, last.id])

    assert [ended(order)[0] for order in (first, slow, last)] == [
        OrderStatus.CONFIRMED,
        OrderStatus.PAYMENT_PENDING,
        OrderStatus.CONFIRMED,
    ]
    slow.refresh_from_db()
    assert slow.attempts == 0  # waiting on Stripe is no failed attempt
    assert claim_orders(STEPS["pay"], limit=50) == []  # deferred: not claimed at once
    payment = Payment.objects.get(order=slow)
    assert (payment.status, payment.stripe_payment_intent_id is not None) == (Payment.Status.PENDING, True)


def test_the_pay_step_charges_what_waits_for_a_card_and_finalizes_it(
    card_buyer, account_buyer, warehouses, make_product
):
    make_product("CH-PAY", stock={warehouses["AMS"]: 100, warehouses["RTM"]: 100}, case_pack=10)
    orders = [place(buyer, {"CH-PAY": 10}) for buyer in (card_buyer, account_buyer, card_buyer)]
    run_step_alone("reserve")

    assert chain.pay_and_go_on([order.id for order in orders]) == []

    assert {ended(order)[0] for order in orders} == {OrderStatus.CONFIRMED}
    for order in (orders[0], orders[2]):
        [intent] = payment_intents_for_order(order)
        assert intent["status"] == "succeeded"


def test_cards_charged_stay_paid_when_finalizing_them_fails_and_the_finalize_step_confirms_them(
    card_buyer, warehouses, make_product, monkeypatch
):
    make_product("CH-FIN", stock={warehouses["AMS"]: 100}, case_pack=10)
    orders = [place(card_buyer, {"CH-FIN": 10}) for _ in range(2)]

    def failing_in_the_database(locked_orders):
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # aborts what is not in a savepoint of its own

    monkeypatch.setattr("journey.steps.pay_cards.finalize_locked_orders", failing_in_the_database)
    assert chain.reserve_and_go_on([order.id for order in orders]) == []

    assert {ended(order)[:4] for order in orders} == {
        (OrderStatus.PAID, "", "", (Payment.Method.CARD, Payment.Status.SUCCEEDED, orders[0].total))
    }
    monkeypatch.undo()
    assert run_step_alone("finalize") == 2
    for order in orders:
        assert ended(order)[0] == OrderStatus.CONFIRMED
        [intent] = payment_intents_for_order(order)  # charged once
        assert intent["status"] == "succeeded"


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_workers_charging_one_batch_at_once_charge_each_order_once(card_buyer, warehouses, make_product):
    """Two batches over the same card orders, and a third worker paying them one at a
    time, all at once: the Stripe call locks let one of them talk to Stripe for each
    order, and the others leave it to that one."""
    make_product("CH-RACE", stock={warehouses["AMS"]: 1000}, case_pack=10)
    orders = [place(card_buyer, {"CH-RACE": 10}) for _ in range(12)]
    run_step_alone("reserve")
    ids = [order.id for order in orders]
    everyone = threading.Barrier(3)

    def batch_worker():
        everyone.wait(timeout=30)
        return chain.pay_and_go_on(ids)

    def one_at_a_time_worker():
        everyone.wait(timeout=30)
        for order_id in reversed(ids):
            try:
                pay.pay_one(order_id)
            except pay.PaymentBusyError:
                pass  # another worker holds it: the step defers it, no attempt spent

    outcomes = in_threads([batch_worker, batch_worker, one_at_a_time_worker])
    assert [outcome for outcome in outcomes if isinstance(outcome, Exception)] == []
    drive_journey()

    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.CONFIRMED
        assert list(order.events.values_list("to_status", flat=True)) == PATH_TO_CONFIRMED
        [intent] = payment_intents_for_order(order)
        assert intent["status"] == "succeeded"


def in_threads(workers) -> list:
    """Run each worker on a thread of its own, with its own connection; return what
    each returned or raised."""

    def call(worker):
        try:
            return worker()
        except Exception as exc:  # collected for the test to assert on
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        return list(pool.map(call, workers))
