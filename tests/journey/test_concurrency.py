"""Concurrency claims, proven with real threads against the real database: no
oversell, no deadlock, one event per transition, one PaymentIntent, one charge."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections

from inventory.models import Reservation, Stock, StockMovement
from journey.runner import run_step
from journey.steps import finalize, pay, reserve
from journey.steps.pay import PaymentBusyError
from orders.cancellation import cancel_order
from orders.models import Order, OrderStatus
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import CreditAccount, Partner
from payments.models import Payment
from tests.support.journey import place, run_step_alone
from tests.support.stripe import payment_intents_for_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def in_threads(function, items, *, workers: int) -> list:
    """Run function(item) on a pool of threads, each with its own connection; return
    the results and exceptions in item order."""

    def call(item):
        try:
            return function(item)
        except Exception as exc:  # collected for the test to assert on
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(call, items))


def hot_rose(warehouses, make_product, *, in_lots: bool) -> None:
    """50 units of ROSE-HOT, 30 in RTM and 20 in AMS: in lot "" each, or in lots of
    different dates (three in RTM, the buyer's home, and two in AMS)."""
    rtm, ams = warehouses["RTM"], warehouses["AMS"]
    if not in_lots:
        make_product("ROSE-HOT", stock={rtm: 30, ams: 20}, case_pack=1, list_price="1.00")
        return
    today = datetime.date.today()

    def lot(warehouse, code, on_hand, days):
        expires = None if days is None else today + datetime.timedelta(days=days)
        return {"warehouse": warehouse, "lot": code, "on_hand": on_hand, "expires_on": expires}

    make_product(
        "ROSE-HOT",
        case_pack=1,
        list_price="1.00",
        lots=[
            lot(rtm, "R-LATE", 10, 12),
            lot(rtm, "R-EARLY", 12, 6),
            lot(rtm, "", 8, None),
            lot(ams, "A-LATE", 9, 14),
            lot(ams, "A-EARLY", 11, 7),
        ],
    )


@pytest.mark.parametrize("in_lots", [False, True], ids=["one lot", "lots of different dates"])
def test_hot_sku_200_buyers_for_the_last_50_units(account_buyer, warehouses, make_product, in_lots):
    hot_rose(warehouses, make_product, in_lots=in_lots)

    def buy(_):
        order = place(account_buyer, {"ROSE-HOT": 1})
        reserve.reserve_one(order.id)
        return order.id

    outcomes = in_threads(buy, range(200), workers=16)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    orders = Order.objects.filter(id__in=outcomes)
    assert orders.filter(status=OrderStatus.INVENTORY_RESERVED).count() == 50
    assert orders.filter(status=OrderStatus.CANCELLED, cancel_reason="out_of_stock").count() == 150
    assert sum(s.reserved for s in Stock.objects.filter(product__sku="ROSE-HOT")) == 50
    assert all(s.reserved == s.on_hand for s in Stock.objects.filter(product__sku="ROSE-HOT"))
    if in_lots:
        # Every reserve locks all of the SKU's lots, so the ledger's order is the order
        # the buyers were served in: the home warehouse first, and within each
        # warehouse, the earliest-expiring lot emptied before the next is touched.
        served = list(
            StockMovement.objects.filter(product__sku="ROSE-HOT", kind=StockMovement.Kind.RESERVE)
            .order_by("id")
            .values_list("warehouse__code", "lot")
        )
        expected = [("RTM", "R-EARLY")] * 12 + [("RTM", "R-LATE")] * 10 + [("RTM", "")] * 8
        assert served == expected + [("AMS", "A-EARLY")] * 11 + [("AMS", "A-LATE")] * 9


@pytest.mark.parametrize("in_lots", [False, True], ids=["one lot", "lots of different dates"])
def test_orders_locking_the_same_skus_in_opposite_order_do_not_deadlock(
    account_buyer, warehouses, make_product, in_lots
):
    today = datetime.date.today()
    for sku in ("SKU-A", "SKU-B"):
        if in_lots:
            lots = [
                {"warehouse": warehouses[w], "lot": code, "on_hand": 30, "expires_on": today + datetime.timedelta(days)}
                for w in ("RTM", "AMS")
                for code, days in (("L1", 9), ("L2", 3), ("L3", 6))
            ]
            make_product(sku, case_pack=1, list_price="1.00", lots=lots)
        else:
            make_product(sku, stock={warehouses["RTM"]: 1000, warehouses["AMS"]: 1000}, case_pack=1, list_price="1.00")
    orders = [place(account_buyer, {"SKU-A": 1, "SKU-B": 1} if i % 2 else {"SKU-B": 1, "SKU-A": 1}) for i in range(60)]

    outcomes = in_threads(lambda order: reserve.reserve_one(order.id), orders, workers=12)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Order.objects.filter(status=OrderStatus.INVENTORY_RESERVED).count() == 60


def test_each_step_run_twice_and_concurrently_moves_the_order_once(card_buyer, warehouses, make_product):
    make_product("ROSE-TWICE", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-TWICE": 20})

    for handler in (reserve.reserve_one, pay.pay_one, finalize.finalize_one):
        outcomes = in_threads(handler, [order.id, order.id], workers=2)
        assert [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, PaymentBusyError)] == []
        handler(order.id)  # and once more, afterwards

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    events = list(order.events.values_list("to_status", flat=True))
    assert events == [
        OrderStatus.CREATED,
        OrderStatus.INVENTORY_RESERVED,
        OrderStatus.PAYMENT_PENDING,
        OrderStatus.PAID,
        OrderStatus.CONFIRMED,
    ]
    assert Reservation.objects.filter(order_id=order.id).count() == 1
    assert Payment.objects.filter(order=order).count() == 1
    [intent] = payment_intents_for_order(order)
    assert intent["status"] == "succeeded"
    assert order.shipments.count() == 1


def test_two_workers_running_every_step_at_once_charge_each_order_once(card_buyer, warehouses, make_product):
    make_product("ROSE-WORKERS", stock={warehouses["AMS"]: 1000}, case_pack=10)
    orders = [place(card_buyer, {"ROSE-WORKERS": 10}) for _ in range(12)]

    for step in ("reserve", "pay", "finalize"):
        in_threads(lambda _: run_step(step), [1, 2], workers=2)

    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.CONFIRMED
        assert order.events.count() == 5
        assert len(payment_intents_for_order(order)) == 1


def test_a_worker_charges_a_batch_of_card_orders_on_several_threads_once_each(
    card_buyer, declining_buyer, warehouses, make_product, settings, monkeypatch
):
    from payments import gateway

    settings.BOUQUET = {**settings.BOUQUET, "STRIPE_CONCURRENCY": 4}
    make_product("ROSE-MANY", stock={warehouses["AMS"]: 1000}, case_pack=10)
    charged = [place(card_buyer, {"ROSE-MANY": 10}) for _ in range(12)]
    declined = [place(declining_buyer, {"ROSE-MANY": 10}) for _ in range(3)]
    run_step_alone("reserve")
    real_confirm, confirming_threads = gateway.confirm_payment_intent, set()

    def confirm_noting_the_thread(*args, **kwargs):
        import threading

        confirming_threads.add(threading.current_thread().name)
        return real_confirm(*args, **kwargs)

    monkeypatch.setattr(gateway, "confirm_payment_intent", confirm_noting_the_thread)

    assert run_step("pay") == 15

    assert len(confirming_threads) > 1 and all(name.startswith("stripe") for name in confirming_threads)
    assert {Order.objects.get(id=o.id).status for o in charged} == {OrderStatus.CONFIRMED}  # finalized in the pass
    assert {Order.objects.get(id=o.id).status for o in declined} == {OrderStatus.CANCELLED}
    for order in charged:
        [intent] = payment_intents_for_order(order)
        assert intent["status"] == "succeeded"
    assert Stock.objects.get(product__sku="ROSE-MANY").reserved == 120


@pytest.mark.parametrize("step", [reserve.reserve_one, lambda order_id: reserve.reserve_batch([order_id])])
def test_two_orders_of_one_partner_cannot_both_pass_a_headroom_that_fits_one(step, warehouses, make_product):
    make_product("CREDIT-1", stock={warehouses["RTM"]: 1000}, case_pack=1, list_price="60.00")
    partner = PartnerFactory(
        code="TIGHT", payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses["RTM"], credit=None
    )
    CreditAccountFactory(partner=partner, credit_limit="100.00")
    for round_no in range(4):
        CreditAccount.objects.filter(partner=partner).update(open_balance=0)
        pair = [place(partner, {"CREDIT-1": 1}) for _ in range(2)]  # 60.00 each: one fits
        both_ready = threading.Barrier(2)

        def reserve_when_both_are_ready(order, both_ready=both_ready):
            both_ready.wait()
            return step(order.id)

        outcomes = in_threads(reserve_when_both_are_ready, pair, workers=2)

        assert [o for o in outcomes if isinstance(o, Exception)] == [], round_no
        states = sorted(Order.objects.filter(id__in=[o.id for o in pair]).values_list("status", "hold"))
        assert states == [("CREATED", "credit"), ("INVENTORY_RESERVED", "")], round_no
        assert CreditAccount.objects.get(partner=partner).open_balance == Decimal("60.00")
        held = Order.objects.get(id__in=[o.id for o in pair], hold="credit")
        assert not Reservation.objects.filter(order_id=held.id).exists()


def test_reserving_and_cancelling_one_partners_orders_at_once_neither_deadlocks_nor_leaks_credit(
    account_buyer, warehouses, make_product
):
    make_product("LOCK-A", stock={warehouses["RTM"]: 1000}, case_pack=1, list_price="1.00")
    make_product("LOCK-B", stock={warehouses["RTM"]: 1000}, case_pack=1, list_price="1.00")
    reserved = [place(account_buyer, {"LOCK-A": 1, "LOCK-B": 1}) for _ in range(20)]
    for order in reserved:
        reserve.reserve_one(order.id)
    fresh = [place(account_buyer, {"LOCK-B": 1, "LOCK-A": 1}) for _ in range(20)]
    # Cancelling locks the order, its stock rows, then the credit row; reserving the
    # order, the stock rows, then the credit row: one order, so no cycle.
    work = [("cancel", o) for o in reserved] + [("reserve", o) for o in fresh]

    def act(item):
        action, order = item
        if action == "cancel":
            return cancel_order(order_id=order.id, actor="test")
        return reserve.reserve_one(order.id)

    outcomes = in_threads(act, work, workers=8)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == Decimal("40.00")
    assert Order.objects.filter(id__in=[o.id for o in fresh], status=OrderStatus.INVENTORY_RESERVED).count() == 20
