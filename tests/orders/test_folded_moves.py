"""Folded moves (orders.transitions.folded_moves): the moves a locked batch makes are
written when the block ends, as one row version an order, with every move's event in
the order the moves were made; a move the database no longer agrees with rolls the
fold back; an error inside writes nothing; a hold set inside comes after the moves."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.factories import OrderFactory
from orders.models import Order, OrderEvent, OrderStatus
from orders.transitions import FoldedMoveLostError, folded_moves, set_hold, transition, transition_many
from tests.support.metrics import counted

pytestmark = pytest.mark.django_db

ON_ACCOUNT_JOURNEY = [
    (OrderStatus.CREATED, OrderStatus.INVENTORY_RESERVED),
    (OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_PENDING),
    (OrderStatus.PAYMENT_PENDING, OrderStatus.PAID),
    (OrderStatus.PAID, OrderStatus.CONFIRMED),
]


def moves_of(order: Order) -> list[tuple[str, str]]:
    return list(OrderEvent.objects.filter(order=order).order_by("id").values_list("from_status", "to_status"))


def order_row_writes(queries) -> int:
    return sum(1 for query in queries if "UPDATE orders_order" in query["sql"])


def confirmed_count() -> float:
    return counted("bouquet_order_transitions_total", step="finalize", outcome=OrderStatus.CONFIRMED)


def test_a_journey_in_one_fold_writes_each_order_once_with_an_event_for_every_move(
    django_capture_on_commit_callbacks,
):
    orders = OrderFactory.create_batch(3, status=OrderStatus.CREATED)
    cancelled = OrderFactory(status=OrderStatus.CREATED)
    before = confirmed_count()

    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        with transaction.atomic(), folded_moves():
            for _, to_status in ON_ACCOUNT_JOURNEY:
                assert transition_many(orders, to_status, details={orders[0].id: f"to {to_status}"}) == orders
            assert transition(cancelled, OrderStatus.CANCELLED, reason="out_of_stock", detail="none left")
            assert order_row_writes(queries) == 0  # nothing yet: written as the block ends

    assert order_row_writes(queries) == 1
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.CONFIRMED
        assert moves_of(order) == ON_ACCOUNT_JOURNEY
    assert list(OrderEvent.objects.filter(order=orders[0]).order_by("id").values_list("detail", flat=True)) == [
        f"to {to_status}" for _, to_status in ON_ACCOUNT_JOURNEY
    ]
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancel_detail) == (
        OrderStatus.CANCELLED,
        "out_of_stock",
        "none left",
    )
    assert confirmed_count() == before + 3  # counted per move, once committed


def test_the_last_move_s_lease_is_the_order_s():
    order = OrderFactory(status=OrderStatus.CREATED)
    with transaction.atomic(), folded_moves():
        transition_many([order], OrderStatus.INVENTORY_RESERVED)
        transition_many([order], OrderStatus.PAYMENT_PENDING, due_in=300)

    order.refresh_from_db()
    assert (order.next_attempt_at - order.updated_at).total_seconds() == pytest.approx(300, abs=1)


def test_an_order_another_transaction_moved_rolls_the_fold_back():
    kept, taken = OrderFactory.create_batch(2, status=OrderStatus.CREATED)
    # Cancelled after it was read, unlocked: not what a locked batch can meet, and the
    # fold must not pretend it moved.
    Order.objects.filter(id=taken.id).update(status=OrderStatus.CANCELLED)

    with pytest.raises(FoldedMoveLostError, match=taken.number), transaction.atomic(), folded_moves():
        transition_many([kept, taken], OrderStatus.INVENTORY_RESERVED)

    assert dict(Order.objects.values_list("id", "status")) == {
        kept.id: OrderStatus.CREATED,
        taken.id: OrderStatus.CANCELLED,
    }
    assert not OrderEvent.objects.exists()


def test_an_error_inside_the_fold_writes_nothing():
    order = OrderFactory(status=OrderStatus.CREATED)

    with pytest.raises(ZeroDivisionError), transaction.atomic(), folded_moves():
        transition_many([order], OrderStatus.INVENTORY_RESERVED)
        1 / 0  # noqa: B018

    order.refresh_from_db()
    assert order.status == OrderStatus.CREATED and not OrderEvent.objects.exists()


def test_a_hold_set_inside_the_fold_comes_after_its_moves():
    order = OrderFactory(status=OrderStatus.INVENTORY_RESERVED)

    with transaction.atomic(), folded_moves():
        transition_many([order], OrderStatus.PAYMENT_PENDING)
        set_hold([order.id], "credit")

    order.refresh_from_db()
    assert (order.status, order.hold) == (OrderStatus.PAYMENT_PENDING, "credit")
