"""GET /api/v1/delivery-options/: the delivery promise for one of the caller's addresses,
with a controlled clock: order-by moments with the warehouse's offset (never moved to
UTC), scoping, strict parameters, and the same answer intake then keeps."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fulfillment.factories import RouteExceptionFactory, RouteFactory
from fulfillment.routes import assign_route
from partners.factories import PartnerFactory, ShipToAddressFactory

pytestmark = pytest.mark.django_db

OPTIONS = "/api/v1/delivery-options/"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Thursday 11 February 2027, 15:00 in Aalsmeer: Friday's order-by moment (Thursday 14:00) has passed.
THURSDAY_AFTERNOON = datetime(2027, 2, 11, 15, 0, tzinfo=AMSTERDAM)


def options_at(api, moment: datetime, query: str = ""):
    with time_machine.travel(moment, tick=False):
        return api.get(f"{OPTIONS}{query}")


def test_lists_the_dates_with_order_by_moments_in_the_warehouses_offset(fern_api, fern_shop):
    answer = options_at(fern_api, THURSDAY_AFTERNOON, "?days=5")

    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "ship_to": fern_shop.id,
        "route": "AMS-NL",
        "timezone": "Europe/Amsterdam",
        "options": [
            {"date": "2027-02-13", "order_by": "2027-02-12T14:00:00+01:00"},
            {"date": "2027-02-15", "order_by": "2027-02-14T14:00:00+01:00"},
        ],
        "excluded": [
            {"date": "2027-02-11", "reason": "cutoff_passed"},
            {"date": "2027-02-12", "reason": "cutoff_passed"},
            {"date": "2027-02-14", "reason": "no_delivery_day"},
        ],
    }


def test_a_second_before_the_order_by_time_tomorrow_is_still_an_option(fern_api, fern_shop):
    answer = options_at(fern_api, datetime(2027, 2, 11, 13, 59, 59, tzinfo=AMSTERDAM), "?days=2")

    assert answer.json()["options"] == [{"date": "2027-02-12", "order_by": "2027-02-11T14:00:00+01:00"}]


def test_summer_time_order_by_moments_carry_plus_two_hours(fern_api, fern_shop):
    answer = options_at(fern_api, datetime(2027, 3, 26, 9, 0, tzinfo=AMSTERDAM), "?days=4")

    # Saturday 27 March is still winter time; Monday 29 March is ordered for on Sunday, in summer time.
    assert answer.json()["options"] == [
        {"date": "2027-03-27", "order_by": "2027-03-26T14:00:00+01:00"},
        {"date": "2027-03-29", "order_by": "2027-03-28T14:00:00+02:00"},
    ]


def test_days_defaults_to_21(fern_api, fern_shop):
    body = options_at(fern_api, THURSDAY_AFTERNOON).json()

    assert len(body["options"]) + len(body["excluded"]) == 21


def test_a_holiday_is_excluded_with_its_reason(fern_api, fern_shop, ams_nl):
    RouteExceptionFactory(route=ams_nl, date=date(2027, 2, 13), delivers=False)

    body = options_at(fern_api, THURSDAY_AFTERNOON, "?days=4").json()

    assert {"date": "2027-02-13", "reason": "holiday"} in body["excluded"]
    assert [option["date"] for option in body["options"]] == []


def test_without_ship_to_a_partner_gets_its_default_address(fern_api, account_buyer, fern_shop):
    ShipToAddressFactory(partner=account_buyer, label="Stall", is_default=False)

    assert options_at(fern_api, THURSDAY_AFTERNOON).json()["ship_to"] == fern_shop.id


def test_a_partner_names_another_of_its_addresses(fern_api, account_buyer, fern_shop, warehouses):
    stall = ShipToAddressFactory(partner=account_buyer, label="Stall", route=RouteFactory(warehouse=warehouses["LHR"]))

    body = options_at(fern_api, THURSDAY_AFTERNOON, f"?ship_to={stall.id}").json()

    assert (body["ship_to"], body["route"], body["timezone"]) == (stall.id, "LHR-ALL", "Europe/London")
    assert body["options"][0]["order_by"] == "2027-02-11T23:59:59+00:00"


def test_another_partners_address_is_not_found(fern_api, fern_shop, warehouses):
    theirs = ShipToAddressFactory(partner=PartnerFactory(code="ROSA", home_warehouse=warehouses["AMS"]))

    answer = options_at(fern_api, THURSDAY_AFTERNOON, f"?ship_to={theirs.id}")

    assert answer.status_code == 404
    assert answer.json()["code"] == "ship_to_not_found"
    assert str(theirs.id) in answer.json()["detail"]


def test_staff_name_any_partners_address(staff_api, fern_shop):
    answer = options_at(staff_api, THURSDAY_AFTERNOON, f"?ship_to={fern_shop.id}&days=3")

    assert answer.status_code == 200, answer.content
    assert answer.json()["ship_to"] == fern_shop.id and answer.json()["route"] == "AMS-NL"


def test_staff_must_name_the_address(staff_api, fern_shop):
    answer = options_at(staff_api, THURSDAY_AFTERNOON)

    assert answer.status_code == 422
    assert answer.json()["code"] == "ship_to_required"
    assert answer.json()["errors"][0]["field"] == "ship_to"


def test_staff_without_the_permission_are_refused_naming_it(credit_staff_api, fern_shop):
    answer = credit_staff_api.get(f"{OPTIONS}?ship_to={fern_shop.id}")

    assert answer.status_code == 403
    assert "fulfillment.view_route" in answer.json()["detail"]


def test_an_address_without_a_route_is_served_by_its_partners_home_route(fern_api, account_buyer):
    ShipToAddressFactory(partner=account_buyer, label="New", is_default=True, route=None)

    answer = options_at(fern_api, THURSDAY_AFTERNOON)

    assert answer.status_code == 200, answer.content
    assert answer.json()["route"] == "RTM-ALL"  # the first route of FERN's home warehouse


def test_an_address_no_route_serves_is_refused_naming_it(fern_api, account_buyer):
    account_buyer.home_warehouse = None
    account_buyer.save(update_fields=["home_warehouse"])
    bare = ShipToAddressFactory(partner=account_buyer, label="New", is_default=True, route=None)

    answer = options_at(fern_api, THURSDAY_AFTERNOON)

    assert answer.status_code == 422
    assert answer.json()["code"] == "no_delivery_route"
    assert answer.json()["errors"][0]["field"] == "ship_to" and str(bare.id) in answer.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("?days=0", "days", id="days 0"),
        pytest.param("?days=93", "days", id="days past 92"),
        pytest.param("?days=", "days", id="days empty"),
        pytest.param("?days=7.0", "days", id="days not whole"),
        pytest.param("?days=-1", "days", id="days negative"),
        pytest.param("?ship_to=abc", "ship_to", id="ship_to not a number"),
        pytest.param("?ship_to=0", "ship_to", id="ship_to 0"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(fern_api, fern_shop, query, field):
    answer = fern_api.get(f"{OPTIONS}{query}")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_filter"
    assert answer.json()["errors"][0]["field"] == field


def test_a_route_change_is_seen_by_the_next_call(fern_api, fern_shop, ams_nl, warehouses):
    before = options_at(fern_api, THURSDAY_AFTERNOON, "?days=3").json()
    assign_route(ship_to=fern_shop, route=RouteFactory(code="RTM-NL", warehouse=warehouses["RTM"]))

    after = options_at(fern_api, THURSDAY_AFTERNOON, "?days=3").json()

    assert (before["route"], after["route"]) == ("AMS-NL", "RTM-NL")


def test_the_order_by_moment_ignores_the_apis_utc_rendering(fern_api, fern_shop):
    body = options_at(fern_api, THURSDAY_AFTERNOON, "?days=3").json()

    assert all(not option["order_by"].endswith("Z") for option in body["options"])
