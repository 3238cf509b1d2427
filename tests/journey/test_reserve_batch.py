"""Reserving a claimed batch in one transaction decides exactly what reserving its
orders one by one, oldest first, would; and a batch that fails hands its orders to
the per-order path, which counts the failure against the order at fault only."""

import pytest
from django.db import connection

from inventory.models import Reservation
from journey.runner import run_step
from journey.steps import reserve
from orders.models import Order, OrderStatus
from tests.support.journey import place, twin_orders

pytestmark = pytest.mark.django_db


def outcome(order: Order, prefix: str) -> tuple:
    order.refresh_from_db()
    reservations = sorted(
        (r.order_line_id - min(order.lines.values_list("id", flat=True)), r.warehouse_id, r.quantity)
        for r in Reservation.objects.filter(order_id=order.id)
    )
    events = [
        (to, reason, detail.replace(f"{prefix}-", ""))
        for to, reason, detail in order.events.values_list("to_status", "reason", "detail")
    ]
    return order.status, order.cancel_reason, order.cancel_detail.replace(f"{prefix}-", ""), reservations, events


def test_a_batch_reserves_and_cancels_exactly_as_one_order_at_a_time_would(account_buyer, warehouses, make_product):
    placed = twin_orders(account_buyer, warehouses, make_product)

    for order in placed["ONE"]:
        reserve.reserve_one(order.id)
    reserve.reserve_batch([order.id for order in placed["BATCH"]])

    one_by_one = [outcome(order, "ONE") for order in placed["ONE"]]
    batched = [outcome(order, "BATCH") for order in placed["BATCH"]]
    assert batched == one_by_one
    assert {status for status, *_ in batched} == {OrderStatus.INVENTORY_RESERVED, OrderStatus.CANCELLED}


def test_a_batch_skips_orders_that_are_no_longer_created(account_buyer, warehouses, make_product):
    make_product("SKIP-1", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    first, second = place(account_buyer, {"SKIP-1": 2}), place(account_buyer, {"SKIP-1": 2})
    reserve.reserve_one(first.id)

    reserve.reserve_batch([first.id, second.id])
    reserve.reserve_batch([first.id, second.id])

    assert Reservation.objects.filter(order_id__in=[first.id, second.id]).count() == 2
    for order in (first, second):
        assert list(order.events.values_list("to_status", flat=True)) == [
            OrderStatus.CREATED,
            OrderStatus.INVENTORY_RESERVED,
        ]


def test_a_failing_batch_falls_back_so_only_the_bad_order_counts_an_attempt(account_buyer, warehouses, make_product):
    make_product("FALL-1", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1.00")
    orders = [place(account_buyer, {"FALL-1": 1}) for _ in range(5)]
    bad = orders[2]
    # A real database fault for one order: writing its reservation fails.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION refuse_order_{bad.id}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.order_id = {bad.id} THEN RAISE EXCEPTION 'reservation refused for this test'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_order BEFORE INSERT ON inventory_reservation
               FOR EACH ROW EXECUTE FUNCTION refuse_order_{bad.id}();
            """
        )

    assert run_step("reserve") == 5

    for order in orders:
        order.refresh_from_db()
    assert [o.status for o in orders] == [OrderStatus.INVENTORY_RESERVED] * 2 + [OrderStatus.CREATED] + [
        OrderStatus.INVENTORY_RESERVED
    ] * 2
    assert [o.attempts for o in orders] == [0, 0, 1, 0, 0]
