"""Each partner's maximum order value and maximum open-order value, checked by intake
for every door (orders.limits): 422 `order_too_large` / `open_orders_limit`, naming
the limit and the order's total or what is open, and nothing written."""

from decimal import Decimal

import pytest

from orders.cancellation import cancel_order
from orders.exceptions import OpenOrdersLimitError, OrderTooLargeError
from orders.intake import place_order
from orders.models import Order, OrderStatus
from partners.factories import PartnerFactory
from partners.models import Partner
from tests.support.journey import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def lily(warehouses, make_product):
    return make_product("LILY-1", stock={warehouses["RTM"]: 10_000}, case_pack=1, list_price="10.00")


def limit(partner: Partner, **values) -> Partner:
    Partner.objects.filter(id=partner.id).update(**values)
    partner.refresh_from_db()
    return partner


def test_a_new_partner_takes_its_limits_from_the_settings(settings, db):
    assert settings.BOUQUET["PARTNER_MAX_ORDER_VALUE"] == Decimal("50000.00")
    assert settings.BOUQUET["PARTNER_MAX_OPEN_ORDER_VALUE"] == Decimal("250000.00")
    settings.BOUQUET = {**settings.BOUQUET, "PARTNER_MAX_ORDER_VALUE": Decimal("700.00")}

    partner = PartnerFactory(code="NEWBY")

    assert (partner.max_order_value, partner.max_open_order_value) == (Decimal("700.00"), Decimal("250000.00"))


def test_an_order_over_the_partners_maximum_is_refused_naming_the_limit_and_total(account_buyer, lily):
    fern = limit(account_buyer, max_order_value=Decimal("100.00"))

    with pytest.raises(OrderTooLargeError) as refused:
        place(fern, {"LILY-1": 11})

    assert refused.value.code == "order_too_large"
    assert refused.value.errors == [{"field": "total", "code": "order_too_large", "detail": refused.value.message}]
    assert "The order comes to 110.00" in refused.value.message
    assert "maximum order value (100.00)" in refused.value.message
    assert not Order.objects.exists()
    assert place(fern, {"LILY-1": 10}).total == Decimal("100.00")  # exactly the limit is allowed


def test_an_order_past_the_open_order_limit_is_refused_naming_the_limit_and_what_is_open(account_buyer, lily):
    fern = limit(account_buyer, max_open_order_value=Decimal("150.00"))
    first = place(fern, {"LILY-1": 6})  # 60.00 open

    with pytest.raises(OpenOrdersLimitError) as refused:
        place(fern, {"LILY-1": 10}, idempotency_key="second")

    assert refused.value.code == "open_orders_limit"
    assert "has 60.00 in open orders" in refused.value.message
    assert "this order's 100.00" in refused.value.message and "open-order limit (150.00)" in refused.value.message
    assert refused.value.errors[0]["field"] == "total"
    assert refused.value.extra == {"open_order_value": "60.00", "max_open_order_value": "150.00"}
    assert list(Order.objects.values_list("id", flat=True)) == [first.id]
    assert place(fern, {"LILY-1": 9}).total == Decimal("90.00")  # 150.00 open: exactly the limit


def test_shipped_and_cancelled_orders_are_not_open(account_buyer, lily):
    fern = limit(account_buyer, max_open_order_value=Decimal("100.00"))
    cancelled = place(fern, {"LILY-1": 10})
    cancel_order(order_id=cancelled.id, actor="fern")
    shipped = place(fern, {"LILY-1": 10})
    Order.objects.filter(id=shipped.id).update(status=OrderStatus.SHIPPED)

    assert place(fern, {"LILY-1": 10}).status == OrderStatus.CREATED


def test_another_partners_open_orders_do_not_count(account_buyer, card_buyer, lily):
    limit(card_buyer, max_open_order_value=Decimal("100.00"))
    place(limit(account_buyer, max_open_order_value=Decimal("100.00")), {"LILY-1": 10})

    assert place(card_buyer, {"LILY-1": 10}).total == Decimal("100.00")


def test_a_replay_of_an_accepted_order_is_answered_even_past_the_limit(account_buyer, lily):
    fern = limit(account_buyer, max_open_order_value=Decimal("100.00"))
    lines = [{"sku": "LILY-1", "quantity": 10}]
    first = place_order(partner=fern, lines=lines, idempotency_key="k-1")

    again = place_order(partner=fern, lines=lines, idempotency_key="k-1")

    assert again.replayed and again.order.id == first.order.id


def test_an_empty_limit_is_no_limit(account_buyer, lily):
    fern = limit(account_buyer, max_order_value=None, max_open_order_value=None)

    big = place(fern, {"LILY-1": 6000})  # 60,000.00: past both defaults
    again = place(fern, {"LILY-1": 4000})

    assert (big.total, again.total) == (Decimal("60000.00"), Decimal("40000.00"))
