"""Stock rules: the version-checked write, routing, and the ledger."""

import datetime
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from inventory.exceptions import OnHandBelowReservedError, OutOfStockError, VersionConflictError
from inventory.models import Reservation, Stock, StockMovement
from inventory.routing import Demand, plan_allocations
from inventory.stock import OrderDemands, lock_stock_rows, release_reservations, reserve_stock
from inventory.stock_import import StockImport
from inventory.stock_sync import set_on_hand

pytestmark = pytest.mark.django_db


def test_set_on_hand_with_a_stale_version_is_refused_and_changes_nothing(warehouses, make_product):
    product = make_product("ROSE-V", stock={warehouses["AMS"]: 100})
    set_on_hand(product=product, warehouse=warehouses["AMS"], on_hand=120, expected_version=1, actor="erp")

    with pytest.raises(VersionConflictError) as conflict:
        set_on_hand(product=product, warehouse=warehouses["AMS"], on_hand=90, expected_version=1, actor="clerk")

    assert conflict.value.code == "version_conflict"
    assert "ROSE-V@AMS" in conflict.value.message and "version 2" in conflict.value.message
    stock = Stock.objects.get(product=product)
    assert (stock.on_hand, stock.version) == (120, 2)


def test_set_on_hand_creates_a_missing_row_from_version_zero(warehouses, make_product):
    product = make_product("ROSE-NEW")

    stock = set_on_hand(product=product, warehouse=warehouses["LHR"], on_hand=40, expected_version=0, actor="erp")

    assert (stock.on_hand, stock.reserved, stock.version) == (40, 0, 1)
    assert StockMovement.objects.filter(product=product, kind="sync", on_hand_delta=40).exists()


def test_set_on_hand_never_erases_reservations(warehouses, make_product):
    product = make_product("ROSE-R", stock={warehouses["AMS"]: 100}, case_pack=1)
    reserve_stock(order=OrderDemands(1, (Demand(1, product.id, 30),), warehouses["AMS"].id))

    with pytest.raises(OnHandBelowReservedError) as refused:
        set_on_hand(product=product, warehouse=warehouses["AMS"], on_hand=20, expected_version=1, actor="erp")

    assert "30 units reserved" in refused.value.message
    stock = set_on_hand(product=product, warehouse=warehouses["AMS"], on_hand=50, expected_version=1, actor="erp")
    assert (stock.on_hand, stock.reserved) == (50, 30)


def test_reserving_prefers_the_home_warehouse_then_priority(warehouses, make_product):
    product = make_product("ROSE-H", stock={warehouses["AMS"]: 100, warehouses["RTM"]: 100}, case_pack=1)

    [reservation] = reserve_stock(order=OrderDemands(7, (Demand(1, product.id, 10),), warehouses["RTM"].id))

    assert reservation.warehouse == warehouses["RTM"]


def test_reserving_splits_a_line_only_when_no_single_warehouse_can_serve(warehouses, make_product):
    product = make_product(
        "ROSE-S", stock={warehouses["AMS"]: 30, warehouses["RTM"]: 30, warehouses["LHR"]: 100}, case_pack=1
    )

    whole = reserve_stock(order=OrderDemands(8, (Demand(1, product.id, 50),), warehouses["AMS"].id))
    split = reserve_stock(order=OrderDemands(9, (Demand(1, product.id, 100),), warehouses["AMS"].id))

    assert [(r.warehouse.code, r.quantity) for r in whole] == [("LHR", 50)]
    assert sorted((r.warehouse.code, r.quantity) for r in split) == [("AMS", 30), ("LHR", 40), ("RTM", 30)]


def test_reserving_is_all_or_nothing(warehouses, make_product):
    plenty = make_product("ROSE-P", stock={warehouses["AMS"]: 100}, case_pack=1)
    scarce = make_product("ROSE-Q", stock={warehouses["AMS"]: 5}, case_pack=1)

    with pytest.raises(OutOfStockError) as short:
        reserve_stock(
            order=OrderDemands(
                10,
                (
                    Demand(1, plenty.id, 10),
                    Demand(2, scarce.id, 6),
                ),
                None,
            )
        )

    assert short.value.short == {"ROSE-Q": 1}
    assert not Reservation.objects.filter(order_id=10).exists()
    assert Stock.objects.get(product=plenty).reserved == 0


def test_closed_warehouses_are_not_reserved_from(warehouses, make_product):
    product = make_product("ROSE-CL", stock={warehouses["AMS"]: 100, warehouses["RTM"]: 100}, case_pack=1)
    warehouses["AMS"].is_open = False
    warehouses["AMS"].save()

    [reservation] = reserve_stock(order=OrderDemands(11, (Demand(1, product.id, 10),), warehouses["AMS"].id))

    assert reservation.warehouse == warehouses["RTM"]


def test_release_gives_stock_back_and_writes_the_ledger(warehouses, make_product):
    product = make_product("ROSE-RL", stock={warehouses["AMS"]: 100}, case_pack=1)
    reserve_stock(order=OrderDemands(12, (Demand(1, product.id, 10),), None))

    release_reservations(order_id=12)
    release_reservations(order_id=12)

    assert Stock.objects.get(product=product).reserved == 0
    assert StockMovement.objects.filter(order_id=12, kind="release").count() == 1


def test_routing_prefers_fewer_shipments_over_preference():
    demands = [Demand(1, 1, 10), Demand(2, 2, 10)]
    available = {(1, 100): 10, (2, 200): 10, (1, 300): 10, (2, 300): 10}

    allocations, short = plan_allocations(demands, available, [100, 200, 300])

    assert short == {}
    assert {a.warehouse_id for a in allocations} == {300}


def test_lots_that_expired_before_the_date_are_not_locked_for_it(warehouses, make_product):
    today = datetime.date(2027, 2, 10)
    lots = [
        {"warehouse": warehouses["AMS"], "lot": code, "on_hand": 5, "expires_on": expires}
        for code, expires in (("OLD", today - datetime.timedelta(days=30)), ("LAST-DAY", today), ("UNDATED", None))
    ]
    product = make_product("ROSE-LOTS", case_pack=1, lots=lots)

    with transaction.atomic():
        locked = lock_stock_rows([product.id], serving_from=today)
        every_lot = lock_stock_rows([product.id])

    assert [lot["lot"] for lot in locked] == ["LAST-DAY", "UNDATED"]
    assert [lot["lot"] for lot in every_lot] == ["LAST-DAY", "OLD", "UNDATED"]


def test_an_order_reserved_after_its_date_takes_no_lot_that_has_expired_since(warehouses, make_product):
    today = timezone.localdate()
    ams = warehouses["AMS"]
    product = make_product(
        "ROSE-LATE",
        case_pack=1,
        lots=[
            {"warehouse": ams, "lot": "EXPIRED", "on_hand": 50, "expires_on": today - datetime.timedelta(days=1)},
            {"warehouse": ams, "lot": "FRESH", "on_hand": 5, "expires_on": today + datetime.timedelta(days=4)},
        ],
    )
    three_days_ago = today - datetime.timedelta(days=3)

    [reservation] = reserve_stock(order=OrderDemands(21, (Demand(1, product.id, 5),), ams.id, three_days_ago))
    with pytest.raises(OutOfStockError):
        reserve_stock(order=OrderDemands(22, (Demand(1, product.id, 1),), ams.id, three_days_ago))

    assert reservation.lot == "FRESH"


@pytest.mark.django_db(transaction=True)
def test_settling_a_reservation_locks_only_its_own_lot(warehouses, make_product):
    ams = warehouses["AMS"]
    product = make_product(
        "ROSE-OWN",
        case_pack=1,
        lots=[{"warehouse": ams, "lot": lot, "on_hand": 10} for lot in ("A", "B")],
    )
    reserve_stock(order=OrderDemands(31, (Demand(1, product.id, 10),), ams.id))  # all of lot A
    holding, release = threading.Event(), threading.Event()

    def hold_lot_b():
        try:
            with transaction.atomic():
                Stock.objects.select_for_update().get(product=product, lot="B")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lot_b)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        [released] = release_reservations(order_id=31)  # would time out waiting for lot B
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert released.lot == "A" and Stock.objects.get(product=product, lot="A").reserved == 0


@pytest.mark.django_db(transaction=True)
def test_a_stock_file_locks_every_lot_it_names_before_its_first_row(warehouses, make_product):
    ams = warehouses["AMS"]
    make_product("ROSE-FILE", case_pack=1, lots=[{"warehouse": ams, "lot": lot, "on_hand": 10} for lot in "AB"])
    rows = [{"sku": "ROSE-FILE", "warehouse": "AMS", "lot": lot} for lot in ("B", "A")]
    rows.append({"sku": "NOPE", "warehouse": "AMS", "lot": "A"})  # names nothing: apply_row refuses it
    taken = []

    def try_each_lot():
        try:
            for lot in "AB":
                with transaction.atomic():
                    try:
                        Stock.objects.select_for_update(nowait=True).get(product__sku="ROSE-FILE", lot=lot)
                    except DatabaseError:
                        continue
                    taken.append(lot)
        finally:
            connections.close_all()

    with transaction.atomic():
        StockImport(actor="test").lock_named_lots(rows)
        other = threading.Thread(target=try_each_lot)
        other.start()
        other.join()

    assert taken == []
