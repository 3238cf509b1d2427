"""Changing the calendar: routes, exceptions and a run of dates at once. A bad change
names its field and changes nothing."""

from datetime import date, time

import pytest

from fulfillment.exceptions import CalendarError
from fulfillment.models import Route, RouteException
from fulfillment.routes import (
    assign_route,
    home_route_of,
    remove_date_exception,
    set_date_exception,
    set_exceptions_for_dates,
    upsert_route,
)
from partners.factories import PartnerFactory, ShipToAddressFactory

pytestmark = pytest.mark.django_db


def route_fields(warehouse, **changes):
    return {
        "code": "AMS-NL",
        "name": "Aalsmeer to the Netherlands",
        "warehouse": warehouse,
        "delivery_weekdays": [6, 1, 2, 3, 4, 5],
        "order_by_time": time(14, 0),
        "lead_days": 1,
        **changes,
    }


def test_a_route_is_created_then_changed_by_its_code(warehouses):
    created_route, created = upsert_route(**route_fields(warehouses["AMS"]))
    changed_route, created_again = upsert_route(**route_fields(warehouses["AMS"], lead_days=2))

    assert (created, created_again) == (True, False)
    assert changed_route.id == created_route.id
    assert (changed_route.delivery_weekdays, changed_route.lead_days) == ([1, 2, 3, 4, 5, 6], 2)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"delivery_weekdays": [0, 1]}, "delivery_weekdays", "invalid_weekday"),
        ({"delivery_weekdays": [8]}, "delivery_weekdays", "invalid_weekday"),
        ({"delivery_weekdays": [True]}, "delivery_weekdays", "invalid_weekday"),
        ({"delivery_weekdays": [1, 1]}, "delivery_weekdays", "duplicate_weekday"),
        ({"lead_days": 15}, "lead_days", "invalid_lead_days"),
    ],
)
def test_a_bad_route_is_refused_naming_its_field_and_nothing_is_written(warehouses, changes, field, code):
    before = Route.objects.count()

    with pytest.raises(CalendarError) as refused:
        upsert_route(**route_fields(warehouses["AMS"], code="NEW", **changes))

    assert [(e["field"], e["code"]) for e in refused.value.errors] == [(field, code)]
    assert field in refused.value.message
    assert Route.objects.count() == before


def test_a_holiday_drops_its_own_order_by_time_and_removing_it_gives_the_day_back(warehouses):
    route, _ = upsert_route(**route_fields(warehouses["AMS"]))

    exception, created = set_date_exception(route=route, day=date(2026, 12, 25), delivers=False, order_by_time=time(9))

    assert (created, exception.order_by_time) == (True, None)
    assert remove_date_exception(route=route, day=date(2026, 12, 25)) is True
    assert remove_date_exception(route=route, day=date(2026, 12, 25)) is False


def test_a_peak_week_sets_exactly_the_chosen_weekdays_of_the_range(warehouses):
    route, _ = upsert_route(**route_fields(warehouses["AMS"]))

    days = set_exceptions_for_dates(
        route=route,
        first=date(2027, 2, 8),
        last=date(2027, 2, 14),
        weekdays={6, 7},
        delivers=True,
        order_by_time=time(10, 0),
        note="Valentine's peak",
    )

    assert days == [date(2027, 2, 13), date(2027, 2, 14)]
    assert list(RouteException.objects.values_list("date", "delivers", "order_by_time")) == [
        (date(2027, 2, 13), True, time(10, 0)),
        (date(2027, 2, 14), True, time(10, 0)),
    ]


@pytest.mark.parametrize(
    ("first", "last", "weekdays", "field", "code"),
    [
        (date(2027, 2, 14), date(2027, 2, 8), {1}, "last", "invalid_range"),
        (date(2027, 1, 1), date(2027, 4, 30), {1}, "last", "range_too_long"),
        (date(2027, 2, 8), date(2027, 2, 14), {9}, "weekdays", "invalid_weekday"),
    ],
)
def test_a_bad_run_of_dates_is_refused_naming_its_field_and_sets_nothing(
    warehouses, first, last, weekdays, field, code
):
    route, _ = upsert_route(**route_fields(warehouses["AMS"]))

    with pytest.raises(CalendarError) as refused:
        set_exceptions_for_dates(route=route, first=first, last=last, weekdays=weekdays, delivers=False)

    assert (refused.value.errors[0]["field"], refused.value.errors[0]["code"]) == (field, code)
    assert not RouteException.objects.exists()


def test_a_new_address_gets_the_first_route_of_its_partners_home_warehouse(warehouses):
    upsert_route(**route_fields(warehouses["RTM"], code="RTM-NL"))
    partner = PartnerFactory(home_warehouse=warehouses["RTM"])

    assert home_route_of(partner).code == "RTM-ALL"  # the test warehouse's own comes first by code
    assert home_route_of(PartnerFactory(home_warehouse=None)) is None


def test_assigning_a_route_serves_the_address_from_it(warehouses):
    route, _ = upsert_route(**route_fields(warehouses["AMS"]))
    address = ShipToAddressFactory(partner=PartnerFactory(home_warehouse=warehouses["RTM"]))

    assign_route(ship_to=address, route=route)

    address.refresh_from_db()
    assert address.route.code == "AMS-NL"
