"""A route's month as the back office shows it (fulfillment.route_month): each day's
kind, order-by moment and whether it can still be ordered, as the promise judges it,
right across daylight-saving changes and in each warehouse's own zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from fulfillment.exceptions import RouteNotFoundError
from fulfillment.factories import RouteExceptionFactory, RouteFactory
from fulfillment.promise import CUTOFF_PASSED, HOLIDAY, NO_DELIVERY_DAY
from fulfillment.route_month import (
    DELIVERY,
    EXTRA_DELIVERY,
    NO_DELIVERY,
    month_of_route,
    order_by_text,
    weekdays_text,
)
from fulfillment.route_month import HOLIDAY as HOLIDAY_KIND

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def routes(warehouses):
    """The demo world's routes: AMS-NL Mon-Sat by 14:00 the day before, RTM-NL Mon-Fri
    by 12:00, LHR-UK (London) Tue and Fri by 10:00 two days before."""
    return {
        "AMS-NL": RouteFactory(
            code="AMS-NL",
            warehouse=warehouses["AMS"],
            delivery_weekdays=[1, 2, 3, 4, 5, 6],
            order_by_time=time(14),
            lead_days=1,
        ),
        "RTM-NL": RouteFactory(
            code="RTM-NL",
            warehouse=warehouses["RTM"],
            delivery_weekdays=[1, 2, 3, 4, 5],
            order_by_time=time(12),
            lead_days=1,
        ),
        "LHR-UK": RouteFactory(
            code="LHR-UK", warehouse=warehouses["LHR"], delivery_weekdays=[2, 5], order_by_time=time(10), lead_days=2
        ),
    }


def days_of(month) -> dict[date, object]:
    return {day.date: day for week in month.weeks for day in week if day is not None}


@pytest.mark.parametrize(
    "weekdays, text",
    [
        ([1, 2, 3, 4, 5, 6], "Mon–Sat"),
        ([2, 5], "Tue, Fri"),
        ([5, 1, 3, 2], "Mon–Wed, Fri"),
        ([6, 7], "Sat, Sun"),
        ([1, 2, 3, 4, 5, 6, 7], "Mon–Sun"),
        ([], "none"),
    ],
)
def test_weekdays_read_as_a_planner_writes_them(weekdays, text):
    assert weekdays_text(weekdays) == text


def test_an_order_by_moment_reads_with_its_weekday_day_and_month():
    assert order_by_text(datetime(2027, 2, 12, 14, 0, tzinfo=AMSTERDAM)) == "Fri 12 Feb 14:00"


def test_a_month_is_laid_out_monday_to_sunday_with_blanks_outside_it(routes):
    month = month_of_route(
        route_id=routes["AMS-NL"].id, year=2026, month=4, now=datetime(2026, 4, 1, 9, tzinfo=AMSTERDAM)
    )

    assert [[day.date.day if day else None for day in week] for week in month.weeks][0] == [None, None, 1, 2, 3, 4, 5]
    assert month.weeks[-1][3].date == date(2026, 4, 30) and month.weeks[-1][4] is None
    assert all(len(week) == 7 for week in month.weeks)


def test_a_holiday_an_extra_saturday_with_its_own_order_by_and_days_without_delivery(routes):
    rtm = routes["RTM-NL"]
    RouteExceptionFactory(route=rtm, date=date(2027, 2, 15), delivers=False, note="Carnival")
    RouteExceptionFactory(route=rtm, date=date(2027, 2, 13), delivers=True, order_by_time=time(10), note="Valentine")
    now = datetime(2027, 2, 10, 11, 0, tzinfo=AMSTERDAM)  # Wednesday, before the 12:00 order-by

    days = days_of(month_of_route(route_id=rtm.id, year=2027, month=2, now=now))

    saturday = days[date(2027, 2, 13)]
    assert (saturday.kind, saturday.orderable, saturday.own_order_by, saturday.note) == (
        EXTRA_DELIVERY,
        True,
        True,
        "Valentine",
    )
    assert saturday.order_by == datetime(2027, 2, 12, 10, 0, tzinfo=AMSTERDAM)
    holiday = days[date(2027, 2, 15)]
    assert (holiday.kind, holiday.reason, holiday.order_by, holiday.note) == (HOLIDAY_KIND, HOLIDAY, None, "Carnival")
    sunday = days[date(2027, 2, 14)]
    assert (sunday.kind, sunday.reason, sunday.order_by) == (NO_DELIVERY, NO_DELIVERY_DAY, None)
    thursday = days[date(2027, 2, 11)]
    assert (thursday.kind, thursday.orderable, thursday.order_by) == (
        DELIVERY,
        True,
        datetime(2027, 2, 10, 12, 0, tzinfo=AMSTERDAM),
    )


def test_today_is_marked_and_days_whose_order_by_passed_are_not_orderable(routes):
    now = datetime(2027, 2, 10, 12, 0, tzinfo=AMSTERDAM)  # RTM-NL's order-by for Thursday, to the second

    days = days_of(month_of_route(route_id=routes["RTM-NL"].id, year=2027, month=2, now=now))

    assert [day for day, judged in days.items() if judged.today] == [date(2027, 2, 10)]
    for passed in (date(2027, 2, 1), date(2027, 2, 10), date(2027, 2, 11)):
        assert (days[passed].kind, days[passed].orderable, days[passed].reason) == (DELIVERY, False, CUTOFF_PASSED)
    assert days[date(2027, 2, 12)].orderable


def test_the_dst_week_keeps_the_wall_clock_and_takes_the_offset_of_its_day(routes):
    # The last Sunday of March 2026: Amsterdam goes from +01:00 to +02:00, London from +00:00 to +01:00.
    now = datetime(2026, 3, 29, 14, 30, tzinfo=AMSTERDAM)  # 12:30 UTC: past 14:00 CEST, not past 14:00 CET

    amsterdam = days_of(month_of_route(route_id=routes["AMS-NL"].id, year=2026, month=3, now=now))
    london = days_of(month_of_route(route_id=routes["LHR-UK"].id, year=2026, month=3, now=now))

    assert amsterdam[date(2026, 3, 28)].order_by.isoformat() == "2026-03-27T14:00:00+01:00"
    assert amsterdam[date(2026, 3, 30)].order_by.isoformat() == "2026-03-29T14:00:00+02:00"
    assert amsterdam[date(2026, 3, 30)].reason == CUTOFF_PASSED
    assert amsterdam[date(2026, 3, 31)].orderable
    assert london[date(2026, 3, 27)].order_by.isoformat() == "2026-03-25T10:00:00+00:00"
    assert london[date(2026, 3, 31)].order_by.isoformat() == "2026-03-29T10:00:00+01:00"
    assert london[date(2026, 3, 31)].reason == CUTOFF_PASSED


def test_the_last_sunday_of_october_gives_the_winter_offset(routes):
    now = datetime(2026, 10, 25, 13, 30, tzinfo=AMSTERDAM)  # 12:30 UTC, after the clocks went back

    days = days_of(month_of_route(route_id=routes["AMS-NL"].id, year=2026, month=10, now=now))

    assert days[date(2026, 10, 24)].order_by.isoformat() == "2026-10-23T14:00:00+02:00"
    assert days[date(2026, 10, 26)].order_by.isoformat() == "2026-10-25T14:00:00+01:00"
    assert days[date(2026, 10, 26)].orderable


def test_without_a_month_it_is_todays_month_on_the_warehouses_own_clock(routes):
    now = datetime(2026, 3, 31, 22, 30, tzinfo=ZoneInfo("UTC"))  # April in Amsterdam, still March in London

    assert month_of_route(route_id=routes["AMS-NL"].id, now=now).month == 4
    assert month_of_route(route_id=routes["LHR-UK"].id, now=now).month == 3


def test_a_past_holiday_shows_though_the_promise_no_longer_reads_it(routes):
    RouteExceptionFactory(route=routes["AMS-NL"], date=date(2020, 3, 2), delivers=False, note="storm")
    now = datetime(2020, 3, 20, 9, tzinfo=AMSTERDAM)

    day = days_of(month_of_route(route_id=routes["AMS-NL"].id, year=2020, month=3, now=now))[date(2020, 3, 2)]

    assert (day.kind, day.note, day.orderable) == (HOLIDAY_KIND, "storm", False)


def test_an_unknown_route_is_refused_by_its_id(routes):
    with pytest.raises(RouteNotFoundError, match="Route 999999 does not exist"):
        month_of_route(route_id=999999, year=2026, month=3, now=datetime(2026, 3, 1, tzinfo=AMSTERDAM))
