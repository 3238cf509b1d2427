"""GET /api/v1/shipments/ and POST /api/v1/shipments/{id}/dispatch/: the warehouse
systems pick up shipments and confirm their dispatch."""

import pytest
from rest_framework.test import APIClient

from fulfillment.factories import ShipmentLineFactory
from fulfillment.models import Shipment
from inventory.models import Stock
from orders.models import Order, OrderStatus
from tests.support.journey import drive_journey, place

pytestmark = pytest.mark.django_db

SHIPMENTS = "/api/v1/shipments/"


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")


@pytest.fixture
def tulips(warehouses, make_product):
    return make_product("TUL-YEL-10", stock={warehouses["AMS"]: 500}, case_pack=10, list_price="0.25")


@pytest.fixture
def confirmed_order(account_buyer, roses, tulips) -> Order:
    """FERN's order of roses (from RTM) and tulips (from AMS), CONFIRMED with two shipments."""
    order = place(account_buyer, {"ROS-RED-50": 100, "TUL-YEL-10": 20})
    drive_journey()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    return order


def shipment_at(order, code) -> Shipment:
    return Shipment.objects.get(order=order, warehouse__code=code)


def dispatch(api, shipment_id, body):
    return api.post(f"{SHIPMENTS}{shipment_id}/dispatch/", body, format="json")


# --- listing -----------------------------------------------------------------------------


def test_staff_list_shipments_with_order_warehouse_and_lines(staff_api, confirmed_order):
    answer = staff_api.get(SHIPMENTS)

    assert answer.status_code == 200 and answer.json()["count"] == 2
    by_warehouse = {s["warehouse"]: s for s in answer.json()["results"]}
    rtm = by_warehouse["RTM"]
    assert rtm["id"] == shipment_at(confirmed_order, "RTM").id
    assert (rtm["order"], rtm["status"], rtm["tracking_number"], rtm["dispatched_at"]) == (
        confirmed_order.number,
        "pending",
        "",
        None,
    )
    assert rtm["created_at"]
    assert rtm["lines"] == [{"sku": "ROS-RED-50", "lot": "", "quantity": 100}]
    assert by_warehouse["AMS"]["lines"] == [{"sku": "TUL-YEL-10", "lot": "", "quantity": 20}]


def test_the_list_filters_by_warehouse_and_status(staff_api, confirmed_order):
    dispatch(staff_api, shipment_at(confirmed_order, "AMS").id, {"tracking_number": "T-1"})

    assert [s["warehouse"] for s in staff_api.get(SHIPMENTS, {"warehouse": "RTM"}).json()["results"]] == ["RTM"]
    assert [s["warehouse"] for s in staff_api.get(SHIPMENTS, {"status": "pending"}).json()["results"]] == ["RTM"]
    assert staff_api.get(SHIPMENTS, {"warehouse": "AMS", "status": "pending"}).json()["count"] == 0


def test_a_status_filter_outside_its_enum_is_400_naming_it(staff_api, confirmed_order):
    answer = staff_api.get(SHIPMENTS, {"status": "lost"})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_filter"
    assert answer.json()["errors"][0]["field"] == "status"


def test_an_unknown_warehouse_filter_is_422_naming_it(staff_api, confirmed_order):
    answer = staff_api.get(SHIPMENTS, {"warehouse": "NOWHERE"})
    assert answer.status_code == 422 and answer.json()["code"] == "unknown_warehouse"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("warehouse", "unknown_warehouse")]
    assert "NOWHERE" in answer.json()["detail"]


def test_the_list_costs_the_same_few_queries_however_long(
    staff_api, confirmed_order, account_buyer, django_assert_num_queries
):
    for _ in range(3):
        place(account_buyer, {"ROS-RED-50": 50, "TUL-YEL-10": 10})
    drive_journey()

    # token and user, the staff's permissions (own and groups', then kept with the cached
    # token), count, shipments with order and warehouse, lines with products
    with django_assert_num_queries(6):
        answer = staff_api.get(SHIPMENTS)

    assert answer.json()["count"] == 8


def test_partners_may_not_list_shipments(fern_api, confirmed_order):
    answer = fern_api.get(SHIPMENTS)
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"


def test_listing_without_a_token_is_401(confirmed_order):
    assert APIClient().get(SHIPMENTS).status_code == 401


# --- dispatch --------------------------------------------------------------------------


def test_dispatch_marks_the_shipment_and_takes_the_goods_off_stock(staff_api, confirmed_order, roses, warehouses):
    shipment = shipment_at(confirmed_order, "RTM")

    answer = dispatch(staff_api, shipment.id, {"tracking_number": "3SBQ-RTM"})

    assert answer.status_code == 200
    body = answer.json()
    assert (body["id"], body["status"], body["tracking_number"]) == (shipment.id, "dispatched", "3SBQ-RTM")
    assert body["dispatched_at"] is not None
    row = Stock.objects.get(product=roses, warehouse=warehouses["RTM"])
    assert (row.on_hand, row.reserved) == (900, 0)
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == OrderStatus.CONFIRMED  # the AMS shipment is still out


def test_the_order_ships_when_its_last_shipment_is_dispatched(staff_api, confirmed_order):
    dispatch(staff_api, shipment_at(confirmed_order, "RTM").id, {"tracking_number": "T-RTM"})
    dispatch(staff_api, shipment_at(confirmed_order, "AMS").id, {"tracking_number": "T-AMS"})

    confirmed_order.refresh_from_db()
    assert confirmed_order.status == OrderStatus.SHIPPED


def test_a_repeated_dispatch_answers_the_shipment_unchanged(staff_api, confirmed_order, roses, warehouses):
    shipment = shipment_at(confirmed_order, "RTM")
    first = dispatch(staff_api, shipment.id, {"tracking_number": "T-FIRST"})

    again = dispatch(staff_api, shipment.id, {"tracking_number": "T-SECOND"})

    assert again.status_code == 200 and again.json() == first.json()
    assert again.json()["tracking_number"] == "T-FIRST"
    assert Stock.objects.get(product=roses, warehouse=warehouses["RTM"]).on_hand == 900


def test_an_unknown_shipment_is_404_naming_it(staff_api, confirmed_order):
    answer = dispatch(staff_api, 987654321, {"tracking_number": "T-1"})
    assert answer.status_code == 404 and answer.json() == {
        "code": "shipment_not_found",
        "detail": "Shipment 987654321 does not exist.",
    }


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, "required"),
        ({"tracking_number": ""}, "blank"),
        ({"tracking_number": "   "}, "blank"),
        ({"tracking_number": None}, "null"),
        ({"tracking_number": "T" * 101}, "max_length"),
        ({"tracking_number": "T-1", "carrier": "DHL"}, "unknown_field"),
    ],
)
def test_a_bad_tracking_number_is_400_and_dispatches_nothing(staff_api, confirmed_order, body, code):
    shipment = shipment_at(confirmed_order, "RTM")

    answer = dispatch(staff_api, shipment.id, body)

    assert answer.status_code == 400 and [e["code"] for e in answer.json()["errors"]] == [code]
    assert answer.json()["errors"][0]["field"] in ("tracking_number", "carrier")
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PENDING


def test_a_shipment_of_an_order_not_confirmed_is_a_409_conflict(staff_api, warehouses):
    line = ShipmentLineFactory(shipment__warehouse=warehouses["AMS"])

    answer = dispatch(staff_api, line.shipment_id, {"tracking_number": "T-1"})

    assert answer.status_code == 409 and answer.json()["code"] == "not_dispatchable"
    assert Shipment.objects.get(id=line.shipment_id).status == Shipment.Status.PENDING


def test_partners_may_not_dispatch(fern_api, confirmed_order):
    shipment = shipment_at(confirmed_order, "RTM")
    assert dispatch(fern_api, shipment.id, {"tracking_number": "T-1"}).status_code == 403
    assert dispatch(APIClient(), shipment.id, {"tracking_number": "T-1"}).status_code == 401
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PENDING
