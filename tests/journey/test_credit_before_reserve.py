"""Credit headroom is checked before stock is reserved (issue 14): an on-account order
past its partner's headroom waits on credit hold holding no stock, so one buyer's
unpaid orders cannot lock another partner out of the catalogue."""

import pytest

from inventory.models import Reservation, Stock
from journey.steps import reserve
from orders.cancellation import cancel_order
from orders.credit_holds import release_credit_hold
from orders.models import Order, OrderStatus
from partners.models import CreditAccount
from payments.models import Payment
from tests.support.journey import drive_journey, place

pytestmark = pytest.mark.django_db


def test_another_partners_order_gets_the_stock_while_an_over_limit_order_waits(
    account_buyer, card_buyer, warehouses, make_product
):
    make_product("ROSE-ALL", stock={warehouses["RTM"]: 100, warehouses["AMS"]: 100}, case_pack=1, list_price="40.00")
    # 8,000.00 against FERN's 5,000.00 limit: every rose there is.
    greedy = place(account_buyer, {"ROSE-ALL": 200})
    drive_journey()
    other = place(card_buyer, {"ROSE-ALL": 150})
    drive_journey()

    greedy.refresh_from_db()
    other.refresh_from_db()
    # Before issue 14 the other order was cancelled out_of_stock here.
    assert (other.status, other.cancel_reason) == (OrderStatus.CONFIRMED, "")
    assert (greedy.status, greedy.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT)
    assert not Reservation.objects.filter(order_id=greedy.id).exists()
    assert sum(Stock.objects.filter(product__sku="ROSE-ALL").values_list("reserved", flat=True)) == 150
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0


def test_a_released_hold_whose_stock_went_meanwhile_is_cancelled_and_its_credit_returned(
    account_buyer, card_buyer, warehouses, make_product
):
    make_product("TULIP-ALL", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="60.00")
    held = place(account_buyer, {"TULIP-ALL": 100})  # 6,000.00
    drive_journey()
    place(card_buyer, {"TULIP-ALL": 50})
    drive_journey()

    release_credit_hold(order_id=held.id, actor="backoffice")
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == held.total
    drive_journey()

    held.refresh_from_db()
    assert (held.status, held.cancel_reason) == (OrderStatus.CANCELLED, "out_of_stock")
    assert "TULIP-ALL (short 50)" in held.cancel_detail
    assert Payment.objects.get(order=held).status == Payment.Status.CANCELED
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0


def test_an_order_within_the_headroom_draws_its_credit_when_it_reserves(account_buyer, warehouses, make_product):
    make_product("FERN-1", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="10.00")
    order = place(account_buyer, {"FERN-1": 30})

    reserve.reserve_one(order.id)

    order.refresh_from_db()
    assert order.status == OrderStatus.INVENTORY_RESERVED
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == order.total
    assert Payment.objects.get(order=order).status == Payment.Status.SUCCEEDED

    cancel_order(order_id=order.id, actor="fern")
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0
    assert Stock.objects.get(product__sku="FERN-1").reserved == 0


def test_cancelling_an_order_on_credit_hold_gives_nothing_back_since_it_holds_nothing(
    account_buyer, warehouses, make_product
):
    make_product("FERN-2", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="100.00")
    order = place(account_buyer, {"FERN-2": 60})
    drive_journey()

    cancel_order(order_id=order.id, actor="fern")

    order.refresh_from_db()
    assert (order.status, order.hold, order.held_since) == (OrderStatus.CANCELLED, "", None)
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0
    assert Stock.objects.get(product__sku="FERN-2").reserved == 0
