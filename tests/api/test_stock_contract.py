"""Stock, shipments and their dispatch hold the contract their schema states (issue 15):
what the schema declares, the server enforces with 400; a schema-valid request that a
rule refuses is 409 or 422, documented on its operation."""

import re

import pytest

from fulfillment.factories import ShipmentLineFactory
from fulfillment.models import Shipment
from tests.support.openapi import component, operation, request_body

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/stock/"
STOCK_ROW = "/api/v1/stock/{sku}/{warehouse}/"
SHIPMENTS = "/api/v1/shipments/"
DISPATCH = "/api/v1/shipments/{shipment_id}/dispatch/"


@pytest.fixture
def pending_shipment(warehouses):
    """A shipment of an order that is not CONFIRMED: a well-formed dispatch is 409."""
    return ShipmentLineFactory(shipment__warehouse=warehouses["AMS"]).shipment


def dispatch(api, shipment, body):
    return api.post(f"{SHIPMENTS}{shipment.id}/dispatch/", body, format="json")


# --- outputs ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["StockOutput", "ShipmentOutput", "ShipmentItemOutput"])
def test_every_field_of_stock_and_shipment_answers_is_read_only_and_required(schema, name):
    output = component(schema, name)

    assert set(output["required"]) == set(output["properties"])
    assert all(field.get("readOnly") for field in output["properties"].values())


# --- item 3: tracking_number --------------------------------------------------------------


def test_the_tracking_number_is_declared_a_string_of_1_to_the_models_length(schema):
    declared = request_body(schema, "post", DISPATCH)["properties"]["tracking_number"]

    assert (declared["type"], declared["minLength"], declared["maxLength"]) == ("string", 1, 100)
    assert not re.search(declared["pattern"], "") and not re.search(declared["pattern"], "  ")
    assert re.search(declared["pattern"], "3SBQ0001042")


@pytest.mark.parametrize("number", [0, 12345, 1.5, True])
def test_a_tracking_number_that_is_not_a_json_string_is_400_not_coerced(staff_api, pending_shipment, number):
    answer = dispatch(staff_api, pending_shipment, {"tracking_number": number})

    assert answer.status_code == 400
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("tracking_number", "invalid")]
    pending_shipment.refresh_from_db()
    assert (pending_shipment.status, pending_shipment.tracking_number) == (Shipment.Status.PENDING, "")


def test_not_dispatchable_is_documented_as_the_409_it_is(schema, staff_api, pending_shipment):
    answers = operation(schema, "post", DISPATCH)["responses"]

    assert "not_dispatchable" in answers["409"]["description"]
    assert "not_dispatchable" not in answers["400"]["description"]
    assert dispatch(staff_api, pending_shipment, {"tracking_number": "T-1"}).status_code == 409


# --- item 4: strict inputs ----------------------------------------------------------------


@pytest.mark.parametrize("method, path", [("put", STOCK_ROW), ("post", DISPATCH)])
def test_stock_and_dispatch_inputs_declare_no_other_property(schema, method, path):
    assert request_body(schema, method, path)["additionalProperties"] is False


# --- item 5: filters naming nothing -------------------------------------------------------


@pytest.mark.parametrize(
    "path, codes", [(STOCK, ("unknown_sku", "unknown_warehouse")), (SHIPMENTS, ("unknown_warehouse",))]
)
def test_a_filter_naming_nothing_is_a_documented_422(schema, path, codes):
    answers = operation(schema, "get", path)["responses"]

    assert all(code in answers["422"]["description"] for code in codes)
    assert answers["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOutput"}
    assert "404" not in answers  # a page past the last is an empty page


def test_a_sku_and_a_warehouse_naming_nothing_are_both_named(staff_api, warehouses):
    answer = staff_api.get(STOCK, {"sku": "NOPE", "warehouse": "NOWHERE"})

    assert answer.status_code == 422 and answer.json()["code"] == "unknown_sku"
    assert [e["field"] for e in answer.json()["errors"]] == ["sku", "warehouse"]


def test_an_empty_filter_filters_nothing(staff_api, warehouses, make_product):
    make_product("ROS-RED-50", stock={warehouses["AMS"]: 10})

    assert staff_api.get(STOCK, {"sku": "", "warehouse": ""}).json()["count"] == 1
    assert staff_api.get(SHIPMENTS, {"warehouse": "", "status": ""}).status_code == 200


# --- item 6: Location on a created stock row ----------------------------------------------


def test_a_created_stock_row_sends_the_location_its_201_declares(schema, staff_api, warehouses, make_product):
    make_product("ROS-RED-50")
    answers = operation(schema, "put", STOCK_ROW)["responses"]

    created = staff_api.put(f"{STOCK}ROS-RED-50/AMS/", {"on_hand": 10, "version": 0}, format="json")
    changed = staff_api.put(f"{STOCK}ROS-RED-50/AMS/", {"on_hand": 20, "version": 1}, format="json")

    assert answers["201"]["headers"]["Location"]["required"] is True and "headers" not in answers["200"]
    assert created.status_code == 201 and created["Location"] == f"{STOCK}ROS-RED-50/AMS/"
    assert changed.status_code == 200 and "Location" not in changed


# --- item 7: on_hand_below_reserved -------------------------------------------------------


def test_both_stock_conflicts_are_documented_on_the_409_with_their_bodies(schema):
    conflict = operation(schema, "put", STOCK_ROW)["responses"]["409"]
    shapes = component(schema, "StockConflictOutput")["oneOf"]

    assert "version_conflict" in conflict["description"] and "on_hand_below_reserved" in conflict["description"]
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StockConflictOutput"}
    assert [s["$ref"].rsplit("/", 1)[-1] for s in shapes] == ["VersionConflictOutput", "BelowReservedOutput"]
    assert "reserved" in component(schema, "BelowReservedOutput")["required"]
    assert "on_hand_below_reserved" not in operation(schema, "put", STOCK_ROW)["responses"]["400"]["description"]
