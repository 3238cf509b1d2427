"""Intake promises dates from the calendar its process keeps, and a change to a route or
an exception, committed by any process, is seen by the next order everywhere.

These tests commit (transaction=True): the cache is only used, and only invalidated,
by committed writes."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django_redis import get_redis_connection

from fulfillment.calendar import CALENDAR_KEY, current_calendars
from fulfillment.factories import RouteFactory
from fulfillment.routes import set_date_exception, upsert_route
from inventory.models import Warehouse
from orders.delivery import delivery_promise_for
from orders.exceptions import DeliveryDateUnavailableError
from orders.intake import place_order
from orders.intake_cache import forget_local_catalogue
from partners.factories import ShipToAddressFactory
from partners.models import ShipToAddress
from tests.support.processes import run_in_another_process

pytestmark = pytest.mark.django_db(transaction=True)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Tuesday 1 December 2026, in the morning in Aalsmeer.
TUESDAY_MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def cold_cache():
    forget_local_catalogue()
    yield
    forget_local_catalogue()


@pytest.fixture
def ams_nl(warehouses):
    return RouteFactory(
        code="AMS-NL",
        warehouse=warehouses["AMS"],
        delivery_weekdays=[1, 2, 3, 4, 5, 6],
        order_by_time=time(14, 0),
        lead_days=1,
    )


@pytest.fixture
def shop(account_buyer, ams_nl):
    return ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True, route=ams_nl)


@pytest.fixture
def rose(warehouses, make_product):
    return make_product("ROSE", case_pack=10, list_price="0.50")


def order(partner, **kwargs):
    return place_order(partner=partner, lines=[{"sku": "ROSE", "quantity": 10}], **kwargs).order


def refusal(partner, **kwargs) -> DeliveryDateUnavailableError:
    with pytest.raises(DeliveryDateUnavailableError) as refused:
        order(partner, **kwargs)
    return refused.value


def test_an_order_placed_a_second_before_the_order_by_time_is_for_tomorrow(account_buyer, shop, rose):
    with time_machine.travel(datetime(2026, 12, 1, 13, 59, 59, tzinfo=AMSTERDAM), tick=False):
        placed = order(account_buyer)

    placed.refresh_from_db()
    assert (placed.requested_delivery_date, placed.route.code) == (date(2026, 12, 2), "AMS-NL")
    assert placed.order_by == datetime(2026, 12, 1, 14, 0, tzinfo=AMSTERDAM)


def test_an_order_placed_at_the_order_by_time_is_for_the_day_after(account_buyer, shop, rose):
    with time_machine.travel(datetime(2026, 12, 1, 14, 0, 0, tzinfo=AMSTERDAM), tick=False):
        placed = order(account_buyer)
        refused = refusal(account_buyer, requested_delivery_date="2026-12-02")

    assert placed.requested_delivery_date == date(2026, 12, 3)
    assert (refused.extra["reason"], refused.extra["next_available"]) == ("cutoff_passed", "2026-12-03")


def test_intakes_answer_gives_the_order_by_moment_with_the_warehouses_offset(account_buyer, shop, rose):
    with time_machine.travel(datetime(2027, 3, 27, 15, 0, tzinfo=AMSTERDAM), tick=False):
        # Saturday after 14:00: Sunday is no delivery day, Monday's order-by is Sunday 14:00 CEST.
        answer = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 10}]).snapshot

    assert (answer["requested_delivery_date"], answer["route"]) == ("2027-03-29", "AMS-NL")
    assert answer["order_by"] == "2027-03-28T14:00:00+02:00"


def test_a_holiday_committed_by_another_process_is_refused_on_the_next_order_here(account_buyer, shop, rose):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        assert order(account_buyer, requested_delivery_date="2026-12-03").requested_delivery_date == date(2026, 12, 3)

    run_in_another_process(
        "import datetime\n"
        "from fulfillment.models import Route\n"
        "from fulfillment.routes import set_date_exception\n"
        "set_date_exception(route=Route.objects.get(code='AMS-NL'), day=datetime.date(2026, 12, 3), delivers=False)\n"
    )

    with time_machine.travel(TUESDAY_MORNING, tick=False):
        refused = refusal(account_buyer, requested_delivery_date="2026-12-03")
    assert (refused.extra["reason"], refused.extra["next_available"]) == ("holiday", "2026-12-04")


def test_a_route_change_committed_by_another_process_moves_the_next_orders_order_by_time(account_buyer, shop, rose):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        assert order(account_buyer).order_by == datetime(2026, 12, 1, 14, 0, tzinfo=AMSTERDAM)

    run_in_another_process(
        "import datetime\n"
        "from fulfillment.models import Route\n"
        "from inventory.models import Warehouse\n"
        "from fulfillment.routes import upsert_route\n"
        "upsert_route(code='AMS-NL', name='AMS-NL', warehouse=Warehouse.objects.get(code='AMS'), "
        "delivery_weekdays=[1, 2, 3, 4, 5, 6], order_by_time=datetime.time(8, 0), lead_days=1)\n"
    )

    with time_machine.travel(TUESDAY_MORNING, tick=False):
        placed = order(account_buyer)
    assert (placed.requested_delivery_date, placed.order_by) == (
        date(2026, 12, 3),
        datetime(2026, 12, 2, 8, 0, tzinfo=AMSTERDAM),
    )


def test_an_order_accepted_before_a_holiday_keeps_its_date_and_the_next_cannot_take_it(account_buyer, shop, rose):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        first = order(account_buyer, requested_delivery_date="2026-12-04")
        set_date_exception(route=shop.route, day=date(2026, 12, 4), delivers=False)
        refused = refusal(account_buyer, requested_delivery_date="2026-12-04")

    first.refresh_from_db()
    assert (first.requested_delivery_date, first.route_id) == (date(2026, 12, 4), shop.route_id)
    assert first.order_by == datetime(2026, 12, 3, 14, 0, tzinfo=AMSTERDAM)
    assert refused.extra["reason"] == "holiday"


def test_the_version_changes_when_the_calendar_write_commits_not_before(shop):
    redis = get_redis_connection("default")
    redis.set(CALENDAR_KEY, "before")

    with transaction.atomic():
        set_date_exception(route=shop.route, day=date(2026, 12, 24), delivers=False)
        upsert_route(
            code=shop.route.code,
            name="renamed",
            warehouse=shop.route.warehouse,
            delivery_weekdays=[1, 2, 3, 4, 5],
            order_by_time=time(12, 0),
            lead_days=1,
        )
        assert redis.get(CALENDAR_KEY) == b"before"

    assert redis.get(CALENDAR_KEY) not in (b"before", None)


def test_a_warm_calendar_costs_intake_no_query_and_a_cold_one_two(account_buyer, shop, rose, django_assert_num_queries):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        order(account_buyer)  # warms products, prices, ship-tos and the calendar
        with django_assert_num_queries(1):  # the one statement that claims the key and writes
            order(account_buyer, idempotency_key="warm")
        set_date_exception(route=shop.route, day=date(2026, 12, 24), delivers=False)
        with django_assert_num_queries(3):  # and the routes and their exceptions
            order(account_buyer, idempotency_key="after-a-change")


def test_without_redis_intake_reads_the_calendar_from_the_database(account_buyer, shop, rose):
    unreachable = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        order(account_buyer)
        with override_settings(CACHES={"default": unreachable}):
            set_date_exception(route=shop.route, day=date(2026, 12, 2), delivers=False)
            assert refusal(account_buyer, requested_delivery_date="2026-12-02").extra["reason"] == "holiday"
            assert order(account_buyer).requested_delivery_date == date(2026, 12, 3)


def test_a_warehouse_with_a_bad_zone_leaves_only_its_own_routes_out_of_the_calendar(account_buyer, shop, rose, caplog):
    Warehouse.objects.filter(code="LHR").update(timezone="Europe/Londen")  # around the model's validator
    forget_local_catalogue()

    codes = {calendar.code for calendar in current_calendars().values()}
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        placed = order(account_buyer)

    assert "LHR-ALL" not in codes and {"AMS-NL", "AMS-ALL"} <= codes
    assert placed.route.code == "AMS-NL"
    assert "bad time zone" in caplog.text


def test_an_address_another_process_just_added_is_promised_dates_not_a_server_error(account_buyer, shop, rose):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        order(account_buyer)  # this process now holds FERN's addresses
        run_in_another_process(
            "from partners.models import Partner, ShipToAddress\n"
            "from fulfillment.models import Route\n"
            "ShipToAddress.objects.bulk_create([ShipToAddress(partner=Partner.objects.get(code='FERN'), "
            "label='Stall', line1='Markt 1', postcode='1000 AA', city='Amsterdam', "
            "route=Route.objects.get(code='AMS-NL'))])\n"  # bulk_create: no signal, no bump
        )
        stall = ShipToAddress.objects.get(label="Stall")
        promise = delivery_promise_for(partner=account_buyer, address_id=stall.id, now=TUESDAY_MORNING)

    assert promise.route.code == "AMS-NL" and promise.options[0].date == date(2026, 12, 2)
