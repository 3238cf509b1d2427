"""Moving many orders in one statement: a compare-and-set per order, each with its event."""

import pytest

from orders.exceptions import InvalidTransitionError
from orders.factories import OrderFactory
from orders.models import Order, OrderEvent, OrderStatus
from orders.transitions import transition_many

pytestmark = pytest.mark.django_db


def events_of(order: Order) -> list[tuple[str, str, str, str, str]]:
    return list(
        OrderEvent.objects.filter(order=order).values_list("from_status", "to_status", "reason", "detail", "actor")
    )


def test_moves_only_the_orders_still_in_the_from_state_with_one_event_each():
    first, second, taken = OrderFactory.create_batch(3, status=OrderStatus.CREATED)
    # Another worker cancelled this one after it was read: its copy in memory is stale.
    Order.objects.filter(id=taken.id).update(status=OrderStatus.CANCELLED)

    moved = transition_many([first, second, taken], OrderStatus.INVENTORY_RESERVED, actor="reserve", reason="reserved")

    assert moved == [first, second]
    assert first.status == second.status == OrderStatus.INVENTORY_RESERVED
    assert taken.status == OrderStatus.CREATED  # not moved, in memory either
    assert dict(Order.objects.values_list("id", "status")) == {
        first.id: OrderStatus.INVENTORY_RESERVED,
        second.id: OrderStatus.INVENTORY_RESERVED,
        taken.id: OrderStatus.CANCELLED,
    }
    for order in (first, second):
        assert events_of(order) == [(OrderStatus.CREATED, OrderStatus.INVENTORY_RESERVED, "reserved", "", "reserve")]
    assert events_of(taken) == []


def test_a_second_run_moves_nothing_and_writes_no_event():
    orders = OrderFactory.create_batch(2, status=OrderStatus.CREATED)
    stale = [Order.objects.get(id=o.id) for o in orders]
    transition_many(orders, OrderStatus.INVENTORY_RESERVED)

    assert transition_many(stale, OrderStatus.INVENTORY_RESERVED) == []
    assert OrderEvent.objects.count() == 2


def test_each_order_keeps_its_own_detail_when_cancelled():
    first, second = OrderFactory.create_batch(2, status=OrderStatus.PAYMENT_PENDING)

    transition_many(
        [first, second], OrderStatus.CANCELLED, reason="payment_failed", details={first.id: "card declined"}
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.cancel_reason, first.cancel_detail) == ("payment_failed", "card declined")
    assert (second.cancel_reason, second.cancel_detail) == ("payment_failed", "")
    assert events_of(first)[0][3] == "card declined"


def test_refuses_a_target_the_state_machine_does_not_allow_and_changes_nothing():
    orders = OrderFactory.create_batch(2, status=OrderStatus.CREATED)

    with pytest.raises(InvalidTransitionError) as refused:
        transition_many(orders, OrderStatus.SHIPPED)

    assert refused.value.code == "invalid_transition"
    assert "cannot all go from CREATED to SHIPPED" in refused.value.message
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CREATED}
    assert not OrderEvent.objects.exists()


def test_refuses_orders_that_are_not_all_in_one_state():
    created = OrderFactory(status=OrderStatus.CREATED)
    reserved = OrderFactory(status=OrderStatus.INVENTORY_RESERVED)

    with pytest.raises(InvalidTransitionError):
        transition_many([created, reserved], OrderStatus.CANCELLED)

    assert not OrderEvent.objects.exists()


def test_no_orders_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert transition_many([], OrderStatus.CANCELLED) == []
