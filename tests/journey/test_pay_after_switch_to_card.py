"""A partner moved from account to card while an order is in flight: the order's credit
was drawn already (at reserve, or when the back office released its hold), so the pay
step takes it to PAID on account, whatever the partner's method is now, instead of
starting a second, card payment for it."""

import pytest

from journey.steps import finalize, pay, reserve
from orders.credit_holds import release_credit_hold
from orders.models import Order, OrderStatus
from partners.models import CreditAccount, Partner
from payments.models import Payment
from tests.support.journey import drive_journey, place

pytestmark = pytest.mark.django_db


def switch_to_card(partner: Partner) -> None:
    Partner.objects.filter(id=partner.id).update(payment_method=Partner.PaymentMethod.CARD)


def paid_on_account_once(order: Order) -> None:
    order.refresh_from_db()
    assert (order.status, order.hold, order.attempts) == (OrderStatus.CONFIRMED, "", 0)
    assert list(Payment.objects.filter(order=order).values_list("method", "status")) == [
        (Payment.Method.ACCOUNT, Payment.Status.SUCCEEDED)
    ]
    assert CreditAccount.objects.get(partner_id=order.partner_id).open_balance == order.total
    assert order.events.filter(to_status=OrderStatus.PAID, detail="on account").count() == 1


def test_an_order_reserved_on_account_is_paid_on_account_one_order_at_a_time(account_buyer, warehouses, make_product):
    make_product("SWITCH-1", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="10.00")
    order = place(account_buyer, {"SWITCH-1": 12})
    reserve.reserve_one(order.id)
    switch_to_card(account_buyer)

    pay.pay_one(order.id)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    finalize.finalize_one(order.id)

    paid_on_account_once(order)


def test_an_order_reserved_on_account_is_paid_on_account_in_a_batch(account_buyer, warehouses, make_product):
    make_product("SWITCH-2", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="10.00")
    order = place(account_buyer, {"SWITCH-2": 12})
    reserve.reserve_one(order.id)
    switch_to_card(account_buyer)

    assert pay.pay_batch([order.id]) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert finalize.finalize_batch([order.id]) == []

    paid_on_account_once(order)


def test_an_order_whose_credit_hold_was_released_is_paid_on_account(account_buyer, warehouses, make_product):
    make_product("SWITCH-3", stock={warehouses["RTM"]: 1000}, case_pack=1, list_price="100.00")
    order = place(account_buyer, {"SWITCH-3": 60})  # 6,000.00 against a 5,000.00 limit
    drive_journey()
    order.refresh_from_db()
    assert (order.status, order.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT)
    release_credit_hold(order_id=order.id, actor="backoffice")
    switch_to_card(account_buyer)

    drive_journey()

    paid_on_account_once(order)
