"""GET/PUT /api/v1/stock/{sku}/{warehouse}/lots/{lot}/ and the lots in GET
/api/v1/stock/: the ERP syncs stock per lot with its dates (docs/DESIGN.md section 11),
version-checked like the stock PUT, and refused when new dates would leave an order's
reservation on the lot unfit."""

from datetime import date

import pytest

from inventory.models import Reservation, Stock, StockMovement
from inventory.routing import Demand
from inventory.stock import OrderDemands, reserve_stock
from tests.support.openapi import component, operation, request_body

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/stock/"
LOT_A = "/api/v1/stock/ROS-RED-50/AMS/lots/A/"
STOCK_LOT = "/api/v1/stock/{sku}/{warehouse}/lots/{lot}/"
DELIVERY = date(2027, 2, 15)
FERN_DAYS = 5  # so a lot serving DELIVERY must last until 2027-02-20


@pytest.fixture
def roses(warehouses, make_product):
    """Lot "" of 100 at AMS; lot A, 500 from 12 to 22 February, version 1; lot B at RTM."""
    ams, rtm = warehouses["AMS"], warehouses["RTM"]
    return make_product(
        "ROS-RED-50",
        stock={ams: 100},
        lots=[
            {"warehouse": ams, "lot": "A", "on_hand": 500, "available_from": date(2027, 2, 12),
             "expires_on": date(2027, 2, 22)},
            {"warehouse": rtm, "lot": "B", "on_hand": 300, "available_from": None, "expires_on": date(2027, 2, 18)},
        ],
    )  # fmt: skip


@pytest.fixture
def reserved_lot_a(roses, warehouses):
    """200 of lot A reserved by the reserve step for a delivery on DELIVERY, needing
    FERN_DAYS days of life (lot "" would serve too, but A expires first)."""
    reserved = reserve_stock(
        order=OrderDemands(
            1, (Demand(1, roses.id, 200),), warehouses["AMS"].id, delivery_date=DELIVERY, partner_days=FERN_DAYS
        )
    )
    assert [(r.lot, r.quantity) for r in reserved] == [("A", 200)]
    return roses


def lot(product, warehouse, code="A") -> Stock:
    return Stock.objects.get(product=product, warehouse=warehouse, lot=code)


def put_lot(api, body, path=LOT_A):
    return api.put(path, body, format="json")


def movements() -> int:
    return StockMovement.objects.count()


# --- reading -------------------------------------------------------------------------------


def test_the_list_gives_every_lot_with_its_code_and_dates(staff_api, roses):
    rows = staff_api.get(STOCK, {"sku": "ROS-RED-50"}).json()["results"]

    assert [(r["warehouse"], r["lot"], r["available_from"], r["expires_on"], r["available"]) for r in rows] == [
        ("AMS", "", None, None, 100),
        ("AMS", "A", "2027-02-12", "2027-02-22", 500),
        ("RTM", "B", None, "2027-02-18", 300),
    ]


def test_the_list_filters_by_lot_and_by_expiry_before_a_date(staff_api, roses):
    by_lot = staff_api.get(STOCK, {"lot": "A"}).json()["results"]
    clearance = staff_api.get(STOCK, {"expires_before": "2027-02-22"}).json()["results"]

    assert [(r["warehouse"], r["lot"]) for r in by_lot] == [("AMS", "A")]
    # Before, not on: lot A's last day is the 22nd; lot "" never expires.
    assert [(r["warehouse"], r["lot"]) for r in clearance] == [("RTM", "B")]


@pytest.mark.parametrize("value", ["20270222", "2027-02-30", "tomorrow", "2027-W07-6"])
def test_an_expires_before_that_is_not_a_date_is_400_naming_it(staff_api, roses, value):
    answer = staff_api.get(STOCK, {"expires_before": value})

    assert answer.status_code == 400 and answer.json()["code"] == "invalid_filter"
    assert [e["field"] for e in answer.json()["errors"]] == ["expires_before"]


def test_staff_read_one_lot(staff_api, roses):
    answer = staff_api.get(LOT_A)

    assert answer.status_code == 200
    assert (answer.json()["lot"], answer.json()["on_hand"], answer.json()["expires_on"]) == ("A", 500, "2027-02-22")


def test_the_path_without_a_lot_reads_lot_empty(staff_api, roses):
    answer = staff_api.get("/api/v1/stock/ROS-RED-50/AMS/")
    assert (answer.json()["lot"], answer.json()["on_hand"]) == ("", 100)


def test_a_lot_never_stocked_is_404_naming_it(staff_api, roses):
    answer = staff_api.get("/api/v1/stock/ROS-RED-50/AMS/lots/Z/")
    assert answer.status_code == 404 and answer.json()["code"] == "stock_not_found"
    assert "ROS-RED-50@AMS lot Z" in answer.json()["detail"]


@pytest.mark.parametrize("code", ["two%20words", "x" * 41, "caf%C3%A9"])
def test_a_lot_code_no_lot_can_have_is_404_invalid_lot_naming_it(staff_api, roses, code):
    for answer in (
        staff_api.get(f"/api/v1/stock/ROS-RED-50/AMS/lots/{code}/"),
        put_lot(staff_api, {"on_hand": 1, "version": 0}, path=f"/api/v1/stock/ROS-RED-50/AMS/lots/{code}/"),
    ):
        assert answer.status_code == 404 and answer.json()["code"] == "invalid_lot"
        assert [e["field"] for e in answer.json()["errors"]] == ["lot"]
    assert Stock.objects.count() == 3


def test_partners_may_not_read_or_set_a_lot(fern_api, roses, warehouses):
    assert fern_api.get(LOT_A).status_code == 403
    assert put_lot(fern_api, {"on_hand": 1, "version": 1}).status_code == 403
    assert lot(roses, warehouses["AMS"]).on_hand == 500


# --- setting a lot -----------------------------------------------------------------------------


def test_a_new_lot_is_created_from_version_0_with_201_its_location_and_a_ledger_row(staff_api, roses, warehouses):
    answer = put_lot(
        staff_api,
        {"on_hand": 800, "version": 0, "available_from": "2027-02-19", "expires_on": "2027-03-01"},
        path="/api/v1/stock/ROS-RED-50/AMS/lots/FH-0219/",
    )

    assert answer.status_code == 201 and answer["Location"] == "/api/v1/stock/ROS-RED-50/AMS/lots/FH-0219/"
    assert {k: answer.json()[k] for k in ("lot", "on_hand", "version", "available_from", "expires_on")} == {
        "lot": "FH-0219",
        "on_hand": 800,
        "version": 1,
        "available_from": "2027-02-19",
        "expires_on": "2027-03-01",
    }
    movement = StockMovement.objects.latest("id")
    assert (movement.lot, movement.kind, movement.on_hand_delta, movement.actor) == ("FH-0219", "sync", 800, "erp")


def test_setting_a_lot_changes_it_alone_and_writes_a_ledger_row_on_it(staff_api, roses, warehouses):
    answer = put_lot(staff_api, {"on_hand": 450, "version": 1, "expires_on": "2027-02-23"})

    assert answer.status_code == 200 and answer.json()["version"] == 2
    changed = lot(roses, warehouses["AMS"])
    assert (changed.on_hand, changed.available_from, changed.expires_on) == (450, date(2027, 2, 12), date(2027, 2, 23))
    assert lot(roses, warehouses["AMS"], "").on_hand == 100
    movement = StockMovement.objects.latest("id")
    assert (movement.lot, movement.on_hand_delta) == ("A", -50)


def test_an_absent_date_keeps_the_lots_date_and_null_clears_it(staff_api, roses, warehouses):
    answer = put_lot(staff_api, {"on_hand": 500, "version": 1, "available_from": None})

    assert answer.status_code == 200 and answer.json()["version"] == 2
    assert (answer.json()["available_from"], answer.json()["expires_on"]) == (None, "2027-02-22")


def test_new_dates_alone_are_a_change_with_a_ledger_row_of_no_units(staff_api, roses, warehouses):
    before = movements()
    answer = put_lot(staff_api, {"on_hand": 500, "version": 1, "expires_on": "2027-02-25"})

    assert answer.status_code == 200 and answer.json()["version"] == 2
    assert movements() == before + 1
    movement = StockMovement.objects.latest("id")
    assert (movement.lot, movement.on_hand_delta) == ("A", 0) and "2027-02-25" in movement.note


def test_the_same_figures_again_change_nothing(staff_api, roses):
    before = movements()
    answer = put_lot(staff_api, {"on_hand": 500, "version": 1, "expires_on": "2027-02-22"})
    assert answer.status_code == 200 and answer.json()["version"] == 1 and movements() == before


def test_a_stale_version_is_409_with_the_current_version(staff_api, roses, warehouses):
    put_lot(staff_api, {"on_hand": 400, "version": 1})

    stale = put_lot(staff_api, {"on_hand": 300, "version": 1})

    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict" and stale.json()["current_version"] == 2
    assert "ROS-RED-50@AMS lot A" in stale.json()["detail"]
    assert lot(roses, warehouses["AMS"]).on_hand == 400


def test_on_hand_below_reserved_is_409_and_changes_nothing(staff_api, reserved_lot_a, warehouses):
    before = movements()
    answer = put_lot(staff_api, {"on_hand": 199, "version": 1})

    assert answer.status_code == 409
    assert answer.json()["code"] == "on_hand_below_reserved" and answer.json()["reserved"] == 200
    assert (lot(reserved_lot_a, warehouses["AMS"]).on_hand, movements()) == (500, before)


def test_expiring_before_available_is_422_naming_expires_on(staff_api, roses, warehouses):
    before = movements()
    answer = put_lot(staff_api, {"on_hand": 500, "version": 1, "expires_on": "2027-02-11"})

    assert answer.status_code == 422 and answer.json()["code"] == "invalid_lot_dates"
    assert [e["field"] for e in answer.json()["errors"]] == ["expires_on"]
    assert "ROS-RED-50@AMS lot A" in answer.json()["detail"]
    assert (lot(roses, warehouses["AMS"]).expires_on, movements()) == (date(2027, 2, 22), before)


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"on_hand": 1, "version": 1, "expires_on": "20270222"}, "expires_on", "invalid"),
        ({"on_hand": 1, "version": 1, "expires_on": "2027-02-30"}, "expires_on", "invalid"),
        ({"on_hand": 1, "version": 1, "available_from": 20270222}, "available_from", "invalid"),
        ({"on_hand": 1, "version": 1, "lot": "B"}, "lot", "unknown_field"),
        ({"on_hand": -1, "version": 1}, "on_hand", "min_value"),
    ],
)
def test_a_body_breaking_the_schema_is_400_naming_the_field(staff_api, roses, body, field, code):
    before = movements()
    answer = put_lot(staff_api, body)

    assert answer.status_code == 400
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, code)]
    assert movements() == before


def test_dates_leaving_a_reservation_unfit_are_409_lot_in_use_and_change_nothing(staff_api, reserved_lot_a, warehouses):
    before = movements()
    # Delivery on the 15th needs five days: the 20th is the earliest expiry that serves.
    answer = put_lot(staff_api, {"on_hand": 500, "version": 1, "expires_on": "2027-02-19"})

    assert answer.status_code == 409
    assert answer.json()["code"] == "lot_in_use" and answer.json()["unfit_reservations"] == 1
    assert "ROS-RED-50@AMS lot A" in answer.json()["detail"]
    unchanged = lot(reserved_lot_a, warehouses["AMS"])
    assert (unchanged.expires_on, unchanged.version, unchanged.reserved) == (date(2027, 2, 22), 1, 200)
    assert movements() == before


def test_an_available_from_after_a_reservations_delivery_is_lot_in_use(staff_api, reserved_lot_a):
    answer = put_lot(staff_api, {"on_hand": 500, "version": 1, "available_from": "2027-02-16"})
    assert answer.status_code == 409 and answer.json()["code"] == "lot_in_use"


def test_dates_that_still_serve_every_reservation_are_set(staff_api, reserved_lot_a, warehouses):
    exactly = put_lot(staff_api, {"on_hand": 500, "version": 1, "expires_on": "2027-02-20"})
    later = put_lot(staff_api, {"on_hand": 500, "version": 2, "expires_on": "2027-02-27"})

    assert (exactly.status_code, later.status_code) == (200, 200)
    changed = lot(reserved_lot_a, warehouses["AMS"])
    assert (changed.expires_on, changed.version, changed.reserved) == (date(2027, 2, 27), 3, 200)
    assert Reservation.objects.get().lot == "A"
    assert list(StockMovement.objects.filter(lot="A", kind="sync").values_list("on_hand_delta", flat=True)) == [0, 0]


def test_an_unknown_sku_or_warehouse_is_404_naming_it(staff_api, roses):
    unknown_sku = put_lot(staff_api, {"on_hand": 1, "version": 0}, path="/api/v1/stock/NOPE/AMS/lots/A/")
    unknown_place = put_lot(staff_api, {"on_hand": 1, "version": 0}, path="/api/v1/stock/ROS-RED-50/NOWHERE/lots/A/")

    assert (unknown_sku.status_code, unknown_sku.json()["code"]) == (404, "product_not_found")
    assert (unknown_place.status_code, unknown_place.json()["code"]) == (404, "warehouse_not_found")


# --- the schema ----------------------------------------------------------------------------


def test_the_schema_declares_the_dates_optional_nullable_dates_and_no_other_property(schema):
    body = request_body(schema, "put", STOCK_LOT)

    assert body["additionalProperties"] is False and set(body["required"]) == {"on_hand", "version"}
    for field in ("available_from", "expires_on"):
        declared = body["properties"][field]
        assert (declared["type"], declared["format"], declared["nullable"]) == ("string", "date", True)
        assert "Absent keeps" in declared["description"]


def test_every_refusal_of_the_lot_put_is_documented_with_its_status(schema):
    answers = operation(schema, "put", STOCK_LOT)["responses"]
    shapes = component(schema, "StockLotConflictOutput")["oneOf"]

    assert all(code in answers["409"]["description"] for code in ("version_conflict", "on_hand_below_reserved",
                                                                  "lot_in_use"))  # fmt: skip
    assert [s["$ref"].rsplit("/", 1)[-1] for s in shapes] == [
        "VersionConflictOutput",
        "BelowReservedOutput",
        "LotInUseOutput",
    ]
    assert "invalid_lot_dates" in answers["422"]["description"] and "invalid_lot" in answers["404"]["description"]
    assert set(component(schema, "StockOutput")["required"]) >= {"lot", "available_from", "expires_on"}
