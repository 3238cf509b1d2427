"""Intake refuses a buyer the replay of an order another user of the company placed,
through every door: the refusal is an OrderError, so a CSV upload replaying another
buyer's file reports it on the rows behind the order instead of failing whole."""

import pytest

from orders.exceptions import IdempotencyKeyReusedError, OrderError
from orders.intake import place_order
from orders.models import Order
from partners.factories import MembershipFactory, UserFactory
from partners.models import Membership

pytestmark = pytest.mark.django_db


def test_a_buyer_replaying_another_buyers_csv_key_gets_an_order_error(account_buyer, warehouses, make_product):
    make_product("REPLAY-1", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="2.00")
    fern, iris = (
        MembershipFactory(partner=account_buyer, user=UserFactory(username=name), role=Membership.Role.BUYER).user
        for name in ("fern", "iris")
    )
    order = {"partner": account_buyer, "lines": [{"sku": "REPLAY-1", "quantity": 3}], "idempotency_key": "csv:f00:0"}
    placed = place_order(user=fern, source=Order.Source.CSV, **order)

    with pytest.raises(OrderError) as refused:
        place_order(user=iris, source=Order.Source.CSV, **order)

    assert isinstance(refused.value, IdempotencyKeyReusedError)
    assert refused.value.code == "idempotency_key_reused"
    assert placed.order.number not in refused.value.message
    assert place_order(user=fern, source=Order.Source.CSV, **order).replayed
