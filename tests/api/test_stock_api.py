"""GET /api/v1/stock/ and GET/PUT /api/v1/stock/{sku}/{warehouse}/: staff read stock
levels and set on-hand quantities with the version they read."""

import pytest
from rest_framework.test import APIClient

from inventory.models import Stock, StockMovement
from inventory.routing import Demand
from inventory.stock import OrderDemands, reserve_stock

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/stock/"
ROSES_AT_AMS = "/api/v1/stock/ROS-RED-50/AMS/"


@pytest.fixture
def roses(warehouses, make_product):
    """1000 at AMS (version 1), 500 at RTM."""
    return make_product("ROS-RED-50", stock={warehouses["AMS"]: 1000, warehouses["RTM"]: 500}, case_pack=50)


@pytest.fixture
def tulips(warehouses, make_product):
    return make_product("TUL-YEL-10", stock={warehouses["AMS"]: 200})


@pytest.fixture
def reserved_roses(roses, warehouses):
    """300 of the roses at AMS reserved for an order, through the service (ledger true)."""
    reserve_stock(order=OrderDemands(1, (Demand(1, roses.id, 300),), warehouses["AMS"].id))
    return roses


def stock_row(product, warehouse) -> Stock:
    return Stock.objects.get(product=product, warehouse=warehouse)


def put_stock(api, body, path=ROSES_AT_AMS):
    return api.put(path, body, format="json")


# --- reading -----------------------------------------------------------------------------


def test_staff_list_every_stock_row_by_sku_and_warehouse(staff_api, reserved_roses, tulips):
    answer = staff_api.get(STOCK)

    assert answer.status_code == 200 and answer.json()["count"] == 3
    rows = answer.json()["results"]
    assert [(r["sku"], r["warehouse"]) for r in rows] == [
        ("ROS-RED-50", "AMS"),
        ("ROS-RED-50", "RTM"),
        ("TUL-YEL-10", "AMS"),
    ]
    assert {k: v for k, v in rows[0].items() if k != "updated_at"} == {
        "sku": "ROS-RED-50",
        "warehouse": "AMS",
        "lot": "",
        "available_from": None,
        "expires_on": None,
        "on_hand": 1000,
        "reserved": 300,
        "available": 700,
        "version": 1,
    }


def test_the_list_filters_by_sku_and_warehouse(staff_api, roses, tulips):
    assert [r["warehouse"] for r in staff_api.get(STOCK, {"sku": "ROS-RED-50"}).json()["results"]] == ["AMS", "RTM"]
    assert [r["sku"] for r in staff_api.get(STOCK, {"warehouse": "AMS"}).json()["results"]] == [
        "ROS-RED-50",
        "TUL-YEL-10",
    ]
    assert staff_api.get(STOCK, {"sku": "TUL-YEL-10", "warehouse": "RTM"}).json()["count"] == 0


@pytest.mark.parametrize(
    "params, field",
    [({"sku": "NOPE"}, "sku"), ({"warehouse": "NOWHERE"}, "warehouse")],
)
def test_filtering_by_an_unknown_sku_or_warehouse_is_422_naming_it(staff_api, roses, params, field):
    answer = staff_api.get(STOCK, params)

    assert answer.status_code == 422 and answer.json()["code"] == f"unknown_{field}"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, f"unknown_{field}")]
    assert params[field] in answer.json()["detail"]


def test_a_filter_with_a_nul_breaks_the_schema_so_is_400(staff_api, roses):
    answer = staff_api.get(STOCK, {"warehouse": "A\x00"})

    assert answer.status_code == 400 and answer.json()["code"] == "invalid_filter"
    assert answer.json()["errors"][0]["field"] == "warehouse"


def test_the_list_costs_the_same_few_queries_however_long(
    staff_api, warehouses, make_product, django_assert_num_queries
):
    for n in range(10):
        make_product(f"BULK-{n}", stock={warehouses["AMS"]: 10, warehouses["RTM"]: 10, warehouses["LHR"]: 10})

    # token and user, the staff's permissions (own and groups', then kept with the cached
    # token), count, the page with products and warehouses
    with django_assert_num_queries(5):
        answer = staff_api.get(STOCK)

    assert answer.json()["count"] == 30


def test_staff_read_one_stock_row(staff_api, roses):
    answer = staff_api.get(ROSES_AT_AMS)
    assert answer.status_code == 200 and answer.json()["on_hand"] == 1000 and answer.json()["version"] == 1


def test_a_row_never_stocked_is_404(staff_api, tulips):
    answer = staff_api.get("/api/v1/stock/TUL-YEL-10/RTM/")
    assert answer.status_code == 404 and answer.json()["code"] == "stock_not_found"


def test_partners_may_not_read_stock(fern_api, roses):
    for path in (STOCK, ROSES_AT_AMS):
        answer = fern_api.get(path)
        assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"


def test_reading_stock_without_a_token_is_401(roses):
    assert APIClient().get(STOCK).status_code == 401


# --- setting on hand ------------------------------------------------------------------


def test_setting_on_hand_with_the_version_read_answers_the_new_row_and_writes_the_ledger(staff_api, roses, warehouses):
    answer = put_stock(staff_api, {"on_hand": 1200, "version": 1})

    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("on_hand", "reserved", "available", "version")} == {
        "on_hand": 1200,
        "reserved": 0,
        "available": 1200,
        "version": 2,
    }
    movement = StockMovement.objects.filter(product=roses, warehouse=warehouses["AMS"]).latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.actor) == ("sync", 200, "erp")


def test_setting_on_hand_keeps_reservations(staff_api, reserved_roses, warehouses):
    answer = put_stock(staff_api, {"on_hand": 400, "version": 1})

    assert answer.status_code == 200
    assert (answer.json()["reserved"], answer.json()["available"]) == (300, 100)


def test_a_row_is_created_from_version_0_with_201(staff_api, tulips, warehouses):
    answer = put_stock(staff_api, {"on_hand": 80, "version": 0}, path="/api/v1/stock/TUL-YEL-10/RTM/")

    assert answer.status_code == 201
    assert (answer.json()["on_hand"], answer.json()["version"]) == (80, 1)
    assert stock_row(tulips, warehouses["RTM"]).on_hand == 80


def test_the_same_on_hand_again_changes_nothing(staff_api, roses, warehouses):
    movements = StockMovement.objects.count()
    answer = put_stock(staff_api, {"on_hand": 1000, "version": 1})
    assert answer.status_code == 200 and answer.json()["version"] == 1
    assert StockMovement.objects.count() == movements


def test_a_stale_version_is_409_with_the_current_version(staff_api, roses, warehouses):
    put_stock(staff_api, {"on_hand": 1100, "version": 1})

    stale = put_stock(staff_api, {"on_hand": 900, "version": 1})

    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict" and stale.json()["current_version"] == 2
    assert "ROS-RED-50@AMS" in stale.json()["detail"]
    assert stock_row(roses, warehouses["AMS"]).on_hand == 1100


def test_version_0_for_a_row_that_exists_is_409(staff_api, roses, warehouses):
    answer = put_stock(staff_api, {"on_hand": 5, "version": 0})
    assert answer.status_code == 409 and answer.json()["current_version"] == 1
    assert stock_row(roses, warehouses["AMS"]).on_hand == 1000


def test_a_version_for_a_row_that_does_not_exist_is_409_with_version_0(staff_api, tulips, warehouses):
    answer = put_stock(staff_api, {"on_hand": 5, "version": 3}, path="/api/v1/stock/TUL-YEL-10/RTM/")
    assert answer.status_code == 409 and answer.json()["current_version"] == 0
    assert not Stock.objects.filter(product=tulips, warehouse=warehouses["RTM"]).exists()


def test_on_hand_below_reserved_is_a_409_conflict_with_the_reservations(staff_api, reserved_roses, warehouses):
    answer = put_stock(staff_api, {"on_hand": 299, "version": 1})

    assert answer.status_code == 409
    assert answer.json()["code"] == "on_hand_below_reserved" and answer.json()["reserved"] == 300
    assert "ROS-RED-50@AMS" in answer.json()["detail"]
    row = stock_row(reserved_roses, warehouses["AMS"])
    assert (row.on_hand, row.reserved, row.version) == (1000, 300, 1)


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"on_hand": -1, "version": 1}, "on_hand", "min_value"),
        ({"on_hand": 12.5, "version": 1}, "on_hand", "invalid"),
        ({"on_hand": "12", "version": 1}, "on_hand", "invalid"),
        ({"on_hand": None, "version": 1}, "on_hand", "null"),
        ({"on_hand": 2**31, "version": 1}, "on_hand", "max_value"),
        ({"on_hand": 12}, "version", "required"),
        ({"on_hand": 12, "version": -1}, "version", "min_value"),
        ({"on_hand": 12, "version": "1"}, "version", "invalid"),
        ({"on_hand": 12, "version": 1, "reserved": 0}, "reserved", "unknown_field"),
    ],
)
def test_bad_input_is_400_naming_the_field(staff_api, roses, warehouses, body, field, code):
    movements = StockMovement.objects.count()

    answer = put_stock(staff_api, body)

    assert answer.status_code == 400
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, code)]
    assert StockMovement.objects.count() == movements


def test_an_unknown_sku_is_404_naming_it(staff_api, warehouses):
    answer = put_stock(staff_api, {"on_hand": 5, "version": 0}, path="/api/v1/stock/NOPE/AMS/")
    assert answer.status_code == 404 and answer.json() == {
        "code": "product_not_found",
        "detail": "Product NOPE not found.",
    }


def test_an_unknown_warehouse_is_404_naming_it(staff_api, roses):
    answer = put_stock(staff_api, {"on_hand": 5, "version": 0}, path="/api/v1/stock/ROS-RED-50/NOWHERE/")
    assert answer.status_code == 404 and answer.json() == {
        "code": "warehouse_not_found",
        "detail": "Warehouse NOWHERE not found.",
    }


def test_partners_may_not_set_stock(fern_api, roses, warehouses):
    answer = put_stock(fern_api, {"on_hand": 1, "version": 1})
    assert answer.status_code == 403
    assert stock_row(roses, warehouses["AMS"]).on_hand == 1000


def test_setting_stock_without_a_token_is_401(roses, warehouses):
    assert put_stock(APIClient(), {"on_hand": 1, "version": 1}).status_code == 401
    assert stock_row(roses, warehouses["AMS"]).on_hand == 1000
