"""The upgrade to lots (inventory 0003, orders 0014) on a populated database: every
stock row becomes lot "" without dates, its reservations and ledger carried over, so
what worked before works unchanged."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backoffice.audit import AuditReport, check_stock
from inventory.models import Reservation, Stock, StockMovement
from inventory.stock import release_reservations
from orders.factories import OrderFactory
from partners.factories import PartnerFactory

BEFORE_LOTS = [("inventory", "0002_warehouse_timezone"), ("orders", "0013_order_route_and_order_by")]


def insert(table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", list(values.values()))
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_stock_reservations_and_ledger_come_through_the_upgrade_to_lots(warehouses):
    delivery = datetime.date(2027, 2, 12)
    order = OrderFactory(partner=PartnerFactory(home_warehouse=warehouses["AMS"]), requested_delivery_date=delivery)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_LOTS)
    now = datetime.datetime.now(datetime.UTC)
    product = insert(
        "inventory_product",
        sku="ROSE-OLD",
        name="Red rose",
        category="roses",
        unit="stem",
        case_pack=10,
        min_order_qty=0,
        list_price="1.00",
        active=True,
        updated_at=now,
    )
    ams = warehouses["AMS"].id
    insert("inventory_stock", product_id=product, warehouse_id=ams, on_hand=90, reserved=30, version=3, updated_at=now)
    for kind, on_hand_delta, reserved_delta in (("receipt", 100, 0), ("dispatch", -10, 0), ("reserve", 0, 30)):
        insert(
            "inventory_stockmovement",
            product_id=product,
            warehouse_id=ams,
            kind=kind,
            on_hand_delta=on_hand_delta,
            reserved_delta=reserved_delta,
            order_id=order.id if kind == "reserve" else None,
            actor="before",
            note="",
            created_at=now,
        )
    insert(
        "inventory_reservation",
        order_id=order.id,
        order_line_id=1,
        product_id=product,
        warehouse_id=ams,
        quantity=30,
        status="active",
        created_at=now,
        updated_at=now,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stock = Stock.objects.get(product_id=product)
    assert (stock.lot, stock.available_from, stock.expires_on) == ("", None, None)
    assert (stock.on_hand, stock.reserved, stock.version) == (90, 30, 3)
    reservation = Reservation.objects.get(order_id=order.id)
    assert (reservation.lot, reservation.delivery_date, reservation.min_days_at_delivery) == ("", delivery, 0)
    assert set(StockMovement.objects.filter(product_id=product).values_list("lot", flat=True)) == {""}
    report = AuditReport()
    check_stock(report)
    assert report.passed, report.findings
    # What worked before works unchanged: the old reservation is released from lot "".
    release_reservations(order_id=order.id)
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (90, 0)
