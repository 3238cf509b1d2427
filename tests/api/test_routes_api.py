"""Routes and their dated exceptions through the API: staff read and write them, a
partner's user reads the routes serving its addresses; every bad input is refused
naming its field and changes nothing; a change is what the next promise and the next
order go by, and an order accepted before it keeps its date."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fulfillment.factories import RouteExceptionFactory
from fulfillment.models import Route, RouteException

pytestmark = pytest.mark.django_db

ROUTES = "/api/v1/routes/"
ORDERS = "/api/v1/orders/"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
THURSDAY_MORNING = datetime(2027, 2, 11, 9, 0, tzinfo=AMSTERDAM)
NEW_ROUTE = {
    "name": "Aalsmeer to Belgium",
    "warehouse": "AMS",
    "delivery_weekdays": [5, 2],
    "order_by_time": "11:30",
    "lead_days": 2,
}


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-ROUTE", stock={warehouses["AMS"]: 1000, warehouses["RTM"]: 1000}, case_pack=10)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def place(api, key: str, **fields):
    body = {"lines": [{"sku": "ROS-ROUTE", "quantity": 10}], **fields}
    return api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def calendar_rows() -> tuple:
    return (
        list(Route.objects.order_by("code").values_list("code", "name", "delivery_weekdays", "order_by_time")),
        list(RouteException.objects.order_by("id").values_list("route__code", "date", "delivers", "order_by_time")),
    )


def test_staff_create_a_route_and_read_it_back(staff_api, warehouses):
    created = staff_api.put(f"{ROUTES}AMS-BE/", NEW_ROUTE, format="json")

    assert created.status_code == 201, created.content
    assert created["Location"] == f"{ROUTES}AMS-BE/"
    assert created.json() == {
        "code": "AMS-BE",
        **NEW_ROUTE,
        "delivery_weekdays": [2, 5],
        "timezone": "Europe/Amsterdam",
        "exceptions": [],
    }
    assert staff_api.get(f"{ROUTES}AMS-BE/").json() == created.json()


def test_a_second_put_changes_the_route_with_200(staff_api, warehouses):
    staff_api.put(f"{ROUTES}AMS-BE/", NEW_ROUTE, format="json")

    changed = staff_api.put(f"{ROUTES}AMS-BE/", {**NEW_ROUTE, "warehouse": "LHR"}, format="json")

    assert changed.status_code == 200
    assert (changed.json()["warehouse"], changed.json()["timezone"]) == ("LHR", "Europe/London")


def test_the_answer_lists_exceptions_from_today_on(staff_api, ams_nl):
    RouteExceptionFactory(route=ams_nl, date=date(2027, 2, 10), delivers=False)
    RouteExceptionFactory(route=ams_nl, date=date(2027, 2, 13), delivers=True, order_by_time=time(10, 0), note="Peak")

    with at(THURSDAY_MORNING):
        answer = staff_api.get(f"{ROUTES}AMS-NL/")

    assert answer.json()["exceptions"] == [
        {"date": "2027-02-13", "delivers": True, "order_by_time": "10:00", "note": "Peak"}
    ]


def test_staff_list_every_route(staff_api, warehouses, ams_nl):
    answer = staff_api.get(ROUTES)

    assert answer.status_code == 200
    assert [route["code"] for route in answer.json()["results"]] == ["AMS-ALL", "AMS-NL", "LHR-ALL", "RTM-ALL"]


def test_a_partner_sees_only_the_routes_serving_its_addresses(fern_api, fern_shop):
    listed = fern_api.get(ROUTES)

    assert [route["code"] for route in listed.json()["results"]] == ["AMS-NL"]
    assert fern_api.get(f"{ROUTES}AMS-NL/").status_code == 200
    other = fern_api.get(f"{ROUTES}LHR-ALL/")
    assert other.status_code == 404 and other.json()["code"] == "route_not_found"


def test_a_partner_may_not_write_routes(fern_api, fern_shop):
    answer = fern_api.put(f"{ROUTES}AMS-NL/", NEW_ROUTE, format="json")

    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"


def test_staff_without_the_permissions_are_refused_naming_them(credit_staff_api, ams_nl):
    answer = credit_staff_api.put(f"{ROUTES}AMS-NL/", NEW_ROUTE, format="json")

    assert answer.status_code == 403
    assert "fulfillment.add_route" in answer.json()["detail"]


def test_an_unknown_route_is_not_found(staff_api, warehouses):
    answer = staff_api.get(f"{ROUTES}NOPE/")

    assert answer.status_code == 404
    assert answer.json()["code"] == "route_not_found" and "NOPE" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        pytest.param({"delivery_weekdays": [0, 3]}, "delivery_weekdays.0", "min_value", id="weekday 0"),
        pytest.param({"delivery_weekdays": [8]}, "delivery_weekdays.0", "max_value", id="weekday 8"),
        pytest.param({"delivery_weekdays": [2, 2]}, "delivery_weekdays", "duplicate", id="a weekday twice"),
        pytest.param({"delivery_weekdays": ["1"]}, "delivery_weekdays.0", "invalid", id="weekday as text"),
        pytest.param({"lead_days": 15}, "lead_days", "max_value", id="lead days past 14"),
        pytest.param({"lead_days": -1}, "lead_days", "min_value", id="lead days negative"),
        pytest.param({"order_by_time": "25:00"}, "order_by_time", "invalid", id="time 25:00"),
        pytest.param({"order_by_time": "9:00"}, "order_by_time", "invalid", id="time without its zero"),
        pytest.param({"order_by_time": "14:00:00"}, "order_by_time", "invalid", id="time with seconds"),
        pytest.param({"name": ""}, "name", "blank", id="name blank"),
        pytest.param({"colour": "red"}, "colour", "unknown_field", id="an unknown field"),
    ],
)
def test_a_bad_route_is_refused_naming_the_field_and_changes_nothing(staff_api, ams_nl, change, field, code):
    before = calendar_rows()

    answer = staff_api.put(f"{ROUTES}AMS-NL/", {**NEW_ROUTE, **change}, format="json")

    assert answer.status_code == 400, answer.content
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in answer.json()["errors"]]
    assert calendar_rows() == before


def test_an_unknown_warehouse_is_refused_naming_it(staff_api, ams_nl):
    before = calendar_rows()

    answer = staff_api.put(f"{ROUTES}AMS-NL/", {**NEW_ROUTE, "warehouse": "ZZZ"}, format="json")

    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_warehouse"
    assert answer.json()["errors"][0]["field"] == "warehouse" and "ZZZ" in answer.json()["detail"]
    assert calendar_rows() == before


def test_a_code_with_a_space_is_refused_naming_it(staff_api, warehouses):
    answer = staff_api.put(f"{ROUTES}AMS%20BE/", NEW_ROUTE, format="json")

    assert answer.status_code == 400
    assert answer.json()["errors"][0] == {
        "field": "code",
        "code": "invalid_route_code",
        "detail": "Route code 'AMS BE' must be 1 to 20 printable ASCII characters, no spaces.",
    }
    assert not Route.objects.filter(code="AMS BE").exists()


def test_staff_set_a_holiday_then_change_it_then_remove_it(staff_api, ams_nl):
    url = f"{ROUTES}AMS-NL/exceptions/2027-04-27/"

    created = staff_api.put(url, {"delivers": False, "note": "King's Day"}, format="json")
    changed = staff_api.put(url, {"delivers": True, "order_by_time": "10:00"}, format="json")
    removed = staff_api.delete(url)
    again = staff_api.delete(url)

    assert (created.status_code, created["Location"]) == (201, url)
    assert created.json() == {
        "route": "AMS-NL",
        "date": "2027-04-27",
        "delivers": False,
        "order_by_time": None,
        "note": "King's Day",
    }
    assert changed.status_code == 200
    assert (changed.json()["delivers"], changed.json()["order_by_time"]) == (True, "10:00")
    assert (removed.status_code, again.status_code) == (204, 204)
    assert not RouteException.objects.exists()


@pytest.mark.parametrize("bad_date", ["2027-02-30", "20270427", "tomorrow", "2027-4-27"])
def test_a_malformed_date_in_the_path_is_not_found_naming_it(staff_api, ams_nl, bad_date):
    answer = staff_api.put(f"{ROUTES}AMS-NL/exceptions/{bad_date}/", {"delivers": False}, format="json")

    assert answer.status_code == 404
    assert answer.json()["code"] == "invalid_date"
    assert answer.json()["errors"][0]["field"] == "date" and bad_date in answer.json()["detail"]
    assert not RouteException.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"delivers": "no"}, "delivers", id="delivers as text"),
        pytest.param({}, "delivers", id="delivers missing"),
        pytest.param({"delivers": True, "order_by_time": "24:00"}, "order_by_time", id="time 24:00"),
        pytest.param({"delivers": False, "why": "x"}, "why", id="an unknown field"),
    ],
)
def test_a_bad_exception_is_refused_naming_the_field_and_changes_nothing(staff_api, ams_nl, body, field):
    answer = staff_api.put(f"{ROUTES}AMS-NL/exceptions/2027-04-27/", body, format="json")

    assert answer.status_code == 400
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert not RouteException.objects.exists()


def test_an_exception_on_an_unknown_route_is_not_found(staff_api, warehouses):
    answer = staff_api.put(f"{ROUTES}NOPE/exceptions/2027-04-27/", {"delivers": False}, format="json")

    assert answer.status_code == 404 and answer.json()["code"] == "route_not_found"


def test_a_holiday_makes_the_next_order_for_that_date_unavailable_and_keeps_the_one_before(
    staff_api, fern_api, fern_shop, roses
):
    with at(THURSDAY_MORNING):
        before = place(fern_api, "before-holiday", requested_delivery_date="2027-02-13")
        holiday = staff_api.put(f"{ROUTES}AMS-NL/exceptions/2027-02-13/", {"delivers": False}, format="json")
        after = place(fern_api, "after-holiday", requested_delivery_date="2027-02-13")
        kept = fern_api.get(f"{ORDERS}{before.json()['number']}/")

    assert before.status_code == 202 and holiday.status_code == 201
    assert after.status_code == 422
    refusal = after.json()
    assert (refusal["code"], refusal["field"], refusal["date"], refusal["reason"], refusal["next_available"]) == (
        "delivery_date_unavailable",
        "requested_delivery_date",
        "2027-02-13",
        "holiday",
        "2027-02-15",
    )
    assert refusal["errors"][0]["code"] == "delivery_date_unavailable"
    assert kept.json()["requested_delivery_date"] == "2027-02-13"
    assert kept.json()["order_by"] == "2027-02-12T14:00:00+01:00"


def test_a_route_change_is_what_the_next_promise_and_order_go_by(staff_api, fern_api, fern_shop, roses):
    saturdays_off = {**NEW_ROUTE, "name": "Aalsmeer", "delivery_weekdays": [1, 2, 3, 4, 5], "lead_days": 1}

    with at(THURSDAY_MORNING):
        staff_api.put(f"{ROUTES}AMS-NL/", saturdays_off, format="json")
        promise = fern_api.get("/api/v1/delivery-options/?days=5").json()
        order = place(fern_api, "after-change", requested_delivery_date="2027-02-13")

    assert {"date": "2027-02-13", "reason": "no_delivery_day"} in promise["excluded"]
    assert order.status_code == 422 and order.json()["reason"] == "no_delivery_day"
    assert order.json()["next_available"] == "2027-02-15"


def test_a_bad_date_is_refused_through_api_intake_with_the_promises_shape(fern_api, fern_shop, roses):
    with at(THURSDAY_MORNING):
        answer = place(fern_api, "sunday", requested_delivery_date="2027-02-14")

    body = answer.json()
    assert answer.status_code == 422
    assert {key: body[key] for key in ("code", "field", "date", "reason", "next_available")} == {
        "code": "delivery_date_unavailable",
        "field": "requested_delivery_date",
        "date": "2027-02-14",
        "reason": "no_delivery_day",
        "next_available": "2027-02-15",
    }
    assert "2027-02-14" in body["detail"] and "2027-02-15" in body["detail"]


def test_orders_show_their_route_and_order_by_moment(fern_api, fern_shop, roses):
    with at(THURSDAY_MORNING):
        accepted = place(fern_api, "shown")
    number = accepted.json()["number"]

    detail = fern_api.get(f"{ORDERS}{number}/").json()
    listed = next(o for o in fern_api.get(ORDERS).json()["results"] if o["number"] == number)

    expected = {"requested_delivery_date": "2027-02-12", "route": "AMS-NL", "order_by": "2027-02-11T14:00:00+01:00"}
    for shown in (accepted.json(), detail, listed):
        assert {key: shown[key] for key in expected} == expected


def test_listing_orders_costs_no_query_a_row(fern_api, fern_shop, roses, django_assert_num_queries):
    with at(THURSDAY_MORNING):
        for n in range(3):
            place(fern_api, f"row-{n}")
    fern_api.get(ORDERS)  # the token, read once and kept

    with django_assert_num_queries(3):  # the watermark, the count, the page
        one = fern_api.get(f"{ORDERS}?page_size=1")
    with django_assert_num_queries(3):
        three = fern_api.get(f"{ORDERS}?page_size=3")
    assert [order["route"] for order in three.json()["results"]] == ["AMS-NL"] * 3
    assert one.json()["results"][0]["order_by"] == "2027-02-11T14:00:00+01:00"
