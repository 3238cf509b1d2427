"""An order from each kind of demo partner travels the whole journey."""

import pytest

from fulfillment.models import Shipment
from inventory.models import Reservation, Stock
from orders.credit_holds import release_credit_hold
from orders.dispatch import confirm_dispatch
from orders.models import Order, OrderStatus
from partners.models import CreditAccount
from payments.models import Payment
from tests.support.journey import drive_journey, place, run_step_alone
from tests.support.stripe import payment_intents_for_order

pytestmark = pytest.mark.django_db


def statuses(order):
    return list(order.events.order_by("id").values_list("to_status", flat=True))


def test_card_order_is_confirmed_then_shipped_after_dispatch(card_buyer, warehouses, make_product):
    make_product("ROSE-RED-60", stock={warehouses["AMS"]: 100}, case_pack=20)
    order = place(card_buyer, {"ROSE-RED-60": 40})

    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert statuses(order) == [
        OrderStatus.CREATED,
        OrderStatus.INVENTORY_RESERVED,
        OrderStatus.PAYMENT_PENDING,
        OrderStatus.PAID,
        OrderStatus.CONFIRMED,
    ]
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.SUCCEEDED
    [intent] = payment_intents_for_order(order)
    assert intent["status"] == "succeeded" and intent["amount"] == int(order.total * 100)

    [shipment] = Shipment.objects.filter(order=order)
    confirm_dispatch(shipment_id=shipment.id, tracking_number="TRACK-1", actor="wms")

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    stock = Stock.objects.get(product__sku="ROSE-RED-60", warehouse=warehouses["AMS"])
    assert (stock.on_hand, stock.reserved) == (60, 0)
    assert set(Reservation.objects.filter(order_id=order.id).values_list("status", flat=True)) == {"committed"}


def test_repeated_dispatch_confirmation_is_a_no_op(card_buyer, warehouses, make_product):
    make_product("TULIP-1", stock={warehouses["AMS"]: 100}, case_pack=50)
    order = place(card_buyer, {"TULIP-1": 50})
    drive_journey()
    [shipment] = Shipment.objects.filter(order=order)

    confirm_dispatch(shipment_id=shipment.id, tracking_number="T-1", actor="wms")
    confirm_dispatch(shipment_id=shipment.id, tracking_number="T-2", actor="wms")

    shipment.refresh_from_db()
    assert shipment.tracking_number == "T-1"
    assert Stock.objects.get(product__sku="TULIP-1").on_hand == 50
    assert statuses(order).count(OrderStatus.SHIPPED) == 1


def test_on_account_order_within_the_limit_is_confirmed(account_buyer, warehouses, make_product):
    make_product("PLANT-1", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="100.00")
    order = place(account_buyer, {"PLANT-1": 5})

    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == order.total


def test_on_account_order_past_the_limit_waits_on_credit_hold_until_released(account_buyer, warehouses, make_product):
    make_product("PLANT-2", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1000.00")
    order = place(account_buyer, {"PLANT-2": 6})  # 6,000.00 against a 5,000.00 limit

    drive_journey()

    order.refresh_from_db()
    assert (order.status, order.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT)
    assert not Reservation.objects.filter(order_id=order.id).exists()
    assert Stock.objects.get(product__sku="PLANT-2").reserved == 0
    assert not Payment.objects.filter(order=order).exists()
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0

    release_credit_hold(order_id=order.id, actor="backoffice")
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Stock.objects.get(product__sku="PLANT-2").reserved == 6
    assert Payment.objects.get(order=order).status == Payment.Status.SUCCEEDED
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == order.total


def test_declined_card_cancels_the_order_and_releases_its_stock(declining_buyer, warehouses, make_product):
    make_product("ROSE-WHITE", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(declining_buyer, {"ROSE-WHITE": 30})

    drive_journey()

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "payment_declined")
    assert "declined" in order.cancel_detail
    stock = Stock.objects.get(product__sku="ROSE-WHITE")
    assert (stock.on_hand, stock.reserved) == (100, 0)
    assert Payment.objects.get(order=order).status == Payment.Status.DECLINED


def test_order_short_of_stock_is_cancelled_naming_the_skus(card_buyer, warehouses, make_product):
    make_product("ROSE-SHORT", stock={warehouses["AMS"]: 10, warehouses["RTM"]: 10}, case_pack=10)
    make_product("ROSE-PLENTY", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-PLENTY": 10, "ROSE-SHORT": 30})

    drive_journey()

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "out_of_stock")
    assert "ROSE-SHORT (short 10)" in order.cancel_detail and "ROSE-PLENTY" not in order.cancel_detail
    assert not Reservation.objects.filter(order_id=order.id).exists()
    assert not Payment.objects.filter(order=order).exists()


def test_closing_a_warehouse_before_finalize_reroutes_to_another(account_buyer, warehouses, make_product):
    make_product("MUM-1", stock={warehouses["RTM"]: 40, warehouses["LHR"]: 40}, case_pack=10, list_price="1.00")
    order = place(account_buyer, {"MUM-1": 30})
    run_step_alone("reserve")
    run_step_alone("pay")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(Reservation.objects.filter(order_id=order.id).values_list("warehouse__code", flat=True)) == ["RTM"]

    warehouses["RTM"].is_open = False
    warehouses["RTM"].save()
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert list(Shipment.objects.filter(order=order).values_list("warehouse__code", flat=True)) == ["LHR"]
    rtm = Stock.objects.get(product__sku="MUM-1", warehouse=warehouses["RTM"])
    lhr = Stock.objects.get(product__sku="MUM-1", warehouse=warehouses["LHR"])
    assert (rtm.reserved, lhr.reserved) == (0, 30)


def test_closing_the_only_warehouse_that_can_serve_cancels_and_refunds(card_buyer, warehouses, make_product):
    make_product("MUM-2", stock={warehouses["AMS"]: 40}, case_pack=10)
    order = place(card_buyer, {"MUM-2": 30})
    run_step_alone("reserve")
    run_step_alone("pay")
    warehouses["AMS"].is_open = False
    warehouses["AMS"].save()
    drive_journey()

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "warehouse_unavailable")
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED
    assert Stock.objects.get(product__sku="MUM-2").reserved == 0


@pytest.mark.slow
def test_the_demo_worlds_partners_each_reach_their_end(breaker_reset):
    from django.core.management import call_command

    from partners.models import Partner

    call_command("demo_data", even_with_debug_off=True, stdout=__import__("io").StringIO())
    bloom, fern, thorn = (Partner.objects.get(code=code) for code in ("BLOOM", "FERN", "THORN"))
    sku = "RO-NAOMI-50"

    bloom_order = place(bloom, {sku: 100})
    fern_order = place(fern, {sku: 100})
    fern_big = place(fern, dict([large_order_past(fern.credit.headroom)]))  # FERN already owes 4,600.00
    thorn_order = place(thorn, {sku: 50})
    drive_journey()
    for shipment in Shipment.objects.filter(order=bloom_order):
        confirm_dispatch(shipment_id=shipment.id, tracking_number=f"DEMO-{shipment.id}", actor="wms")

    for order in (bloom_order, fern_order, fern_big, thorn_order):
        order.refresh_from_db()
    assert bloom_order.status == OrderStatus.SHIPPED
    assert fern_order.status == OrderStatus.CONFIRMED
    assert (fern_big.status, fern_big.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT)
    assert not Reservation.objects.filter(order_id=fern_big.id).exists()
    assert (thorn_order.status, thorn_order.cancel_reason) == (OrderStatus.CANCELLED, "payment_declined")
    assert not Reservation.objects.filter(order_id=thorn_order.id, status="active").exists()


def large_order_past(amount) -> tuple[str, int]:
    """A (sku, quantity) in stock whose value at list price passes `amount`."""
    from django.db.models import Sum

    from inventory.models import Product

    for product in Product.objects.filter(active=True).annotate(on_hand=Sum("stock__on_hand")).order_by("-list_price"):
        cases = int(amount / (product.list_price * product.case_pack)) + 1
        quantity = max(cases * product.case_pack, product.min_order_qty)
        if product.on_hand and quantity <= product.on_hand:
            return product.sku, quantity
    raise AssertionError("the demo world has no stock worth that much")
