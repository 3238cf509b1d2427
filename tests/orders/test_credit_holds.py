"""Credit holds end: released by the back office, or cancelled (`hold_expired`) by the
sweeper once HELD_ORDER_RELEASE_AFTER_HOURS have passed, giving back what they hold.
The clock is the hold's own `held_since`, set back here instead of waiting."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Stock
from journey.steps import pay, reserve
from journey.sweeper import sweep
from orders.credit_holds import expire_credit_holds, release_credit_hold
from orders.exceptions import NotHeldError
from orders.models import Order, OrderStatus
from partners.models import CreditAccount, Partner
from payments.models import Payment
from tests.support.journey import drive_journey, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(account_buyer, warehouses, make_product):
    """Place an order past FERN's 5,000.00 headroom and return a function that puts
    it on credit hold `hours` ago."""
    make_product("HOLD-1", stock={warehouses["RTM"]: 1000}, case_pack=1, list_price="100.00")

    def hold(hours: float) -> Order:
        order = place(account_buyer, {"HOLD-1": 60})
        reserve.reserve_one(order.id)
        Order.objects.filter(id=order.id).update(held_since=timezone.now() - timedelta(hours=hours))
        order.refresh_from_db()
        assert order.hold == Order.Hold.CREDIT
        return order

    return hold


def test_the_sweeper_cancels_a_hold_older_than_a_day_and_keeps_a_younger_one(held, settings):
    assert settings.BOUQUET["HELD_ORDER_RELEASE_AFTER_HOURS"] == 24
    old, young = held(25), held(23)

    report = sweep()

    old.refresh_from_db()
    young.refresh_from_db()
    assert report["expired_credit_holds"] == 1
    assert (old.status, old.hold, old.cancel_reason) == (OrderStatus.CANCELLED, "", "hold_expired")
    assert "more than 24 hours" in old.cancel_detail
    assert old.events.filter(to_status=OrderStatus.CANCELLED, reason="hold_expired").count() == 1
    assert (young.status, young.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT)


def test_the_time_a_hold_may_wait_is_a_setting(held, settings):
    settings.BOUQUET = {**settings.BOUQUET, "HELD_ORDER_RELEASE_AFTER_HOURS": 2}
    order = held(3)

    assert expire_credit_holds() == 1

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "hold_expired")
    assert "more than 2 hours" in order.cancel_detail


def test_holds_expire_in_one_batch_whose_cost_does_not_grow_with_the_orders(held):
    held(30)
    with CaptureQueriesContext(connection) as one:
        assert expire_credit_holds() == 1
    for _ in range(5):
        held(30)
    with CaptureQueriesContext(connection) as five:
        assert expire_credit_holds() == 5

    assert len(five) == len(one)
    assert Order.objects.filter(cancel_reason="hold_expired").count() == 6


def test_a_hold_put_on_after_reserving_gives_back_its_stock_when_it_expires(account_buyer, warehouses, make_product):
    # An order reserved before the reserve step drew credit (a deploy with orders in
    # flight): it is held in PAYMENT_PENDING with its stock.
    make_product("HOLD-2", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="100.00")
    order = place(account_buyer, {"HOLD-2": 60})
    Partner.objects.filter(id=account_buyer.id).update(payment_method=Partner.PaymentMethod.CARD)
    reserve.reserve_one(order.id)
    Partner.objects.filter(id=account_buyer.id).update(payment_method=Partner.PaymentMethod.ACCOUNT)
    pay.pay_one(order.id)
    order.refresh_from_db()
    assert (order.status, order.hold) == (OrderStatus.PAYMENT_PENDING, Order.Hold.CREDIT)
    assert Stock.objects.get(product__sku="HOLD-2").reserved == 60
    Order.objects.filter(id=order.id).update(held_since=timezone.now() - timedelta(hours=25))

    assert expire_credit_holds() == 1

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "hold_expired")
    assert Stock.objects.get(product__sku="HOLD-2").reserved == 0
    assert Payment.objects.get(order=order).status == Payment.Status.CANCELED
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 0


def test_a_released_hold_no_longer_expires(held, account_buyer):
    order = held(30)
    release_credit_hold(order_id=order.id, actor="backoffice")

    assert expire_credit_holds() == 0
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert CreditAccount.objects.get(partner=account_buyer).open_balance == order.total


def test_releasing_an_order_that_is_not_held_is_refused(held):
    order = held(1)
    release_credit_hold(order_id=order.id, actor="backoffice")

    with pytest.raises(NotHeldError, match=order.number):
        release_credit_hold(order_id=order.id, actor="backoffice")
