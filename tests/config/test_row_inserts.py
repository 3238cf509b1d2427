"""Rows written in one statement (config.row_inserts): what bulk_create would have
written, in order, with its defaults, and refused whole where a value does not fit."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import DataError, IntegrityError, transaction

from config.row_inserts import insert_rows
from fulfillment.models import Shipment
from inventory.models import Reservation, StockMovement
from orders.factories import OrderFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db

MOVEMENT = ("product_id", "warehouse_id", "kind", "reserved_delta", "order_id", "actor")
LATE_EVENING = datetime.datetime(2027, 3, 27, 23, 30, tzinfo=datetime.UTC)


def test_rows_come_back_in_the_order_given_with_the_defaults_bulk_create_would_fill(warehouses, make_product):
    rose = make_product("ROSE-ROWS")
    ams = warehouses["AMS"].id
    rows = [(rose.id, ams, 7000 + n, n + 1, n + 1, datetime.date(2027, 3, 28), 3) for n in range(30)]

    with time_machine.travel(LATE_EVENING, tick=False):
        created = insert_rows(
            Reservation,
            (
                "product_id",
                "warehouse_id",
                "order_id",
                "order_line_id",
                "quantity",
                "delivery_date",
                "min_days_at_delivery",
            ),
            rows,
            returning=("id", "order_id"),
        )

    assert [order_id for _, order_id in created] == [7000 + n for n in range(30)]
    ids = [reservation_id for reservation_id, _ in created]
    assert ids == sorted(ids)
    stored = Reservation.objects.get(id=ids[4])
    assert (stored.quantity, stored.delivery_date, stored.min_days_at_delivery) == (5, datetime.date(2027, 3, 28), 3)
    # The Python default (status), the database's (lot), and the clock of the caller.
    assert (stored.status, stored.lot) == (Reservation.Status.ACTIVE, "")
    assert stored.created_at == stored.updated_at == LATE_EVENING


def test_decimals_and_a_database_default_timestamp_are_written_as_given():
    order = OrderFactory(status="PAYMENT_PENDING")

    [(payment_id,)] = insert_rows(
        Payment,
        ("order_id", "method", "amount", "currency", "status"),
        [(order.id, "card", Decimal("1234.56"), "EUR", "pending")],
    )

    payment = Payment.objects.get(id=payment_id)
    assert (payment.amount, payment.stripe_payment_intent_id, payment.stripe_dispute_id) == (
        Decimal("1234.56"),
        None,
        "",
    )
    assert payment.created_at is not None


def test_a_value_too_long_for_its_column_is_refused_not_cut_and_no_row_is_written(warehouses, make_product):
    rose = make_product("ROSE-LONG")
    rows = [
        (rose.id, warehouses["AMS"].id, "reserve", 1, 1, "clerk"),
        (rose.id, warehouses["AMS"].id, "reserve", 1, 2, "x" * 151),
    ]

    with pytest.raises(DataError, match="too long"), transaction.atomic():
        insert_rows(StockMovement, MOVEMENT, rows, returning=())

    assert not StockMovement.objects.filter(product=rose).exists()


def test_a_row_breaking_a_constraint_fails_the_whole_statement(warehouses, make_product):
    rose = make_product("ROSE-ZERO")
    columns = ("product_id", "warehouse_id", "order_id", "order_line_id", "quantity")

    with pytest.raises(IntegrityError, match="reservation_quantity_positive"), transaction.atomic():
        insert_rows(
            Reservation, columns, [(rose.id, warehouses["AMS"].id, 1, 1, 5), (rose.id, warehouses["AMS"].id, 2, 1, 0)]
        )

    assert not Reservation.objects.filter(product=rose).exists()


def test_a_column_the_model_lacks_or_a_required_one_left_out_is_named_before_anything_is_sent(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        with pytest.raises(ValueError, match="StockMovement has no column colour"):
            insert_rows(StockMovement, (*MOVEMENT, "colour"), [(1, 1, "reserve", 1, 1, "x", "red")])
        with pytest.raises(ValueError, match="Shipment.warehouse_id has no default"):
            insert_rows(Shipment, ("order_id",), [(1,)])


def test_no_rows_cost_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(StockMovement, MOVEMENT, []) == []
