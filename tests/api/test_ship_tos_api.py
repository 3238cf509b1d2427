"""Ship-to addresses with their route through the API: a partner's user lists its own,
staff list all (by partner) and move an address to another route, which the next
promise and order use; an unknown route or address is refused by name, changing nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fulfillment.factories import RouteFactory
from partners.factories import PartnerFactory, ShipToAddressFactory
from partners.models import ShipToAddress

pytestmark = pytest.mark.django_db

SHIP_TOS = "/api/v1/ship-tos/"


@pytest.fixture
def rosa_shop(warehouses):
    return ShipToAddressFactory(partner=PartnerFactory(code="ROSA", home_warehouse=warehouses["LHR"]), label="Kiosk")


def test_a_partner_lists_its_own_addresses_with_their_routes(fern_api, fern_shop, rosa_shop):
    answer = fern_api.get(SHIP_TOS)

    assert answer.status_code == 200
    assert answer.json()["count"] == 1
    assert answer.json()["results"] == [
        {
            "id": fern_shop.id,
            "partner": "FERN",
            "label": "Shop",
            "line1": fern_shop.line1,
            "line2": fern_shop.line2,
            "postcode": fern_shop.postcode,
            "city": fern_shop.city,
            "country": fern_shop.country,
            "is_default": True,
            "route": "AMS-NL",
        }
    ]


def test_an_address_without_a_route_shows_null(fern_api, account_buyer):
    ShipToAddressFactory(partner=account_buyer, route=None)

    assert fern_api.get(SHIP_TOS).json()["results"][0]["route"] is None


def test_staff_list_every_partners_addresses_and_filter_by_partner(staff_api, fern_shop, rosa_shop):
    every = staff_api.get(SHIP_TOS).json()["results"]
    rosas = staff_api.get(f"{SHIP_TOS}?partner=ROSA").json()["results"]

    assert [(a["partner"], a["route"]) for a in every] == [("FERN", "AMS-NL"), ("ROSA", "LHR-ALL")]
    assert [a["id"] for a in rosas] == [rosa_shop.id]


def test_an_unknown_partner_filter_is_refused_naming_it(staff_api, fern_shop):
    answer = staff_api.get(f"{SHIP_TOS}?partner=NOPE")

    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_partner"
    assert answer.json()["errors"][0]["field"] == "partner" and "NOPE" in answer.json()["detail"]


def test_a_partner_cannot_filter_for_another_partner(fern_api, fern_shop, rosa_shop):
    answer = fern_api.get(f"{SHIP_TOS}?partner=ROSA")

    assert answer.status_code == 422 and answer.json()["code"] == "unknown_partner"


def test_staff_move_an_address_to_another_route(staff_api, fern_shop, warehouses):
    RouteFactory(code="RTM-NL", warehouse=warehouses["RTM"])

    answer = staff_api.patch(f"{SHIP_TOS}{fern_shop.id}/", {"route": "RTM-NL"}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["route"] == "RTM-NL"
    assert ShipToAddress.objects.get(id=fern_shop.id).route.code == "RTM-NL"


def test_the_next_promise_and_order_use_the_new_route(staff_api, fern_api, fern_shop, warehouses, make_product):
    make_product("ROS-MOVE", stock={warehouses["LHR"]: 100, warehouses["AMS"]: 100}, case_pack=10)
    RouteFactory(code="LHR-UK", warehouse=warehouses["LHR"], delivery_weekdays=[2, 5], lead_days=2)

    with time_machine.travel(datetime(2027, 2, 11, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        staff_api.patch(f"{SHIP_TOS}{fern_shop.id}/", {"route": "LHR-UK"}, format="json")
        promise = fern_api.get("/api/v1/delivery-options/?days=7").json()
        order = fern_api.post(
            "/api/v1/orders/",
            {"lines": [{"sku": "ROS-MOVE", "quantity": 10}]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="moved",
        )

    assert (promise["route"], promise["timezone"]) == ("LHR-UK", "Europe/London")
    assert promise["options"][0] == {"date": "2027-02-16", "order_by": "2027-02-14T23:59:59+00:00"}
    assert order.status_code == 202, order.content
    assert (order.json()["route"], order.json()["requested_delivery_date"]) == ("LHR-UK", "2027-02-16")


def test_an_unknown_route_is_refused_naming_it_and_changes_nothing(staff_api, fern_shop):
    answer = staff_api.patch(f"{SHIP_TOS}{fern_shop.id}/", {"route": "NOPE"}, format="json")

    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_route"
    assert answer.json()["errors"][0]["field"] == "route" and "NOPE" in answer.json()["detail"]
    assert ShipToAddress.objects.get(id=fern_shop.id).route.code == "AMS-NL"


def test_an_unknown_address_is_not_found(staff_api, fern_shop):
    answer = staff_api.patch(f"{SHIP_TOS}{fern_shop.id + 1000}/", {"route": "AMS-NL"}, format="json")

    assert answer.status_code == 404 and answer.json()["code"] == "ship_to_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "route", id="route missing"),
        pytest.param({"route": None}, "route", id="route null"),
        pytest.param({"route": 7}, "route", id="route a number"),
        pytest.param({"route": "AMS-NL", "label": "x"}, "label", id="an unknown field"),
    ],
)
def test_a_bad_body_is_refused_naming_the_field(staff_api, fern_shop, body, field):
    answer = staff_api.patch(f"{SHIP_TOS}{fern_shop.id}/", body, format="json")

    assert answer.status_code == 400
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert ShipToAddress.objects.get(id=fern_shop.id).route.code == "AMS-NL"


def test_a_partner_may_not_move_its_address(fern_api, fern_shop):
    answer = fern_api.patch(f"{SHIP_TOS}{fern_shop.id}/", {"route": "AMS-NL"}, format="json")

    assert answer.status_code == 403


def test_staff_without_the_permission_are_refused_naming_it(credit_staff_api, fern_shop):
    answer = credit_staff_api.patch(f"{SHIP_TOS}{fern_shop.id}/", {"route": "AMS-NL"}, format="json")

    assert answer.status_code == 403
    assert "partners.change_shiptoaddress" in answer.json()["detail"]
