"""The delivery promise, judged with a controlled clock: the moment is an argument, so
each test names the instant it is about, in the warehouse's zone or in UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from fulfillment.calendar import DateException, RouteCalendar
from fulfillment.promise import (
    CUTOFF_PASSED,
    HOLIDAY,
    MAX_DAYS_AHEAD,
    NO_DELIVERY_DAY,
    TOO_FAR_AHEAD,
    DeliveryOption,
    ExcludedDate,
    delivery_promise,
    judge_date,
    next_available,
    promised_option,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LONDON = ZoneInfo("Europe/London")
MON_TO_SAT = frozenset({1, 2, 3, 4, 5, 6})


def route(
    code="AMS-NL",
    *,
    zone=AMSTERDAM,
    weekdays=MON_TO_SAT,
    order_by=time(14, 0),
    lead_days=1,
    exceptions: dict | None = None,
) -> RouteCalendar:
    return RouteCalendar(
        id=1,
        code=code,
        name=code,
        warehouse_id=1,
        warehouse_code=code[:3],
        zone=zone,
        delivery_weekdays=frozenset(weekdays),
        order_by_time=order_by,
        lead_days=lead_days,
        exceptions=exceptions or {},
    )


def at(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def option_dates(promise) -> list[date]:
    return [option.date for option in promise.options]


# --- the order-by time ----------------------------------------------------------------------


def test_one_second_before_the_order_by_time_tomorrow_is_still_an_option():
    # Tuesday 1 December 2026, 13:59:59 in Aalsmeer.
    promise = delivery_promise(calendar=route(), now=at(AMSTERDAM, 2026, 12, 1, 13, 59, 59), days=3)

    assert promise.options[0] == DeliveryOption(date(2026, 12, 2), at(AMSTERDAM, 2026, 12, 1, 14, 0))
    assert promise.options[0].order_by.isoformat() == "2026-12-01T14:00:00+01:00"


def test_at_the_order_by_time_tomorrow_is_gone_and_named_cutoff_passed():
    promise = delivery_promise(calendar=route(), now=at(AMSTERDAM, 2026, 12, 1, 14, 0, 0), days=3)

    assert option_dates(promise) == [date(2026, 12, 3)]
    assert promise.excluded == [
        ExcludedDate(date(2026, 12, 1), CUTOFF_PASSED),
        ExcludedDate(date(2026, 12, 2), CUTOFF_PASSED),
    ]


def test_the_order_by_time_is_read_on_the_warehouses_clock_not_in_utc():
    # 13:30 UTC is 14:30 in Aalsmeer in winter: tomorrow's order-by time has passed there.
    judged = judge_date(route(), date(2026, 12, 2), datetime(2026, 12, 1, 13, 30, tzinfo=UTC))

    assert judged == ExcludedDate(date(2026, 12, 2), CUTOFF_PASSED)


def test_lead_days_of_two_put_the_order_by_time_two_days_before_the_delivery():
    tuesday_and_friday = route("LHR-UK", zone=LONDON, weekdays={2, 5}, order_by=time(10, 0), lead_days=2)

    # Sunday 29 November 2026, 09:59 in London: Tuesday's order-by is today 10:00.
    promise = delivery_promise(calendar=tuesday_and_friday, now=at(LONDON, 2026, 11, 29, 9, 59), days=7)
    assert [(o.date, o.order_by.isoformat()) for o in promise.options] == [
        (date(2026, 12, 1), "2026-11-29T10:00:00+00:00"),
        (date(2026, 12, 4), "2026-12-02T10:00:00+00:00"),
    ]

    # At 10:00 Tuesday is gone; Friday's order-by is Wednesday.
    later = delivery_promise(calendar=tuesday_and_friday, now=at(LONDON, 2026, 11, 29, 10, 0), days=7)
    assert option_dates(later) == [date(2026, 12, 4)]
    assert ExcludedDate(date(2026, 12, 1), CUTOFF_PASSED) in later.excluded


def test_a_day_the_route_skips_is_excluded_as_no_delivery_day():
    # Saturday 5 December: Sunday the 6th is not a delivery day of a Monday-to-Saturday route.
    promise = delivery_promise(calendar=route(), now=at(AMSTERDAM, 2026, 12, 5, 9, 0), days=3)

    assert option_dates(promise) == [date(2026, 12, 7)]
    assert ExcludedDate(date(2026, 12, 6), NO_DELIVERY_DAY) in promise.excluded


# --- exceptions -----------------------------------------------------------------------------


def test_a_holiday_is_excluded_as_holiday_and_the_next_day_takes_its_place():
    christmas = route(exceptions={date(2026, 12, 25): DateException(delivers=False, order_by_time=None)})

    promise = delivery_promise(calendar=christmas, now=at(AMSTERDAM, 2026, 12, 23, 15, 0), days=4)

    assert ExcludedDate(date(2026, 12, 25), HOLIDAY) in promise.excluded
    assert option_dates(promise) == [date(2026, 12, 26)]


def test_an_extra_saturday_delivers_with_its_own_order_by_time():
    # Valentine's Day 2027 is a Sunday; a Monday-to-Friday route delivers on the peak
    # Saturday the 13th, ordered for until Friday 10:00 instead of 12:00.
    weekdays_only = route(
        "RTM-NL",
        weekdays={1, 2, 3, 4, 5},
        order_by=time(12, 0),
        exceptions={date(2027, 2, 13): DateException(delivers=True, order_by_time=time(10, 0))},
    )

    before = delivery_promise(calendar=weekdays_only, now=at(AMSTERDAM, 2027, 2, 12, 9, 59), days=4)
    after = delivery_promise(calendar=weekdays_only, now=at(AMSTERDAM, 2027, 2, 12, 10, 0), days=4)

    assert before.options[0] == DeliveryOption(date(2027, 2, 13), at(AMSTERDAM, 2027, 2, 12, 10, 0))
    assert ExcludedDate(date(2027, 2, 13), CUTOFF_PASSED) in after.excluded
    assert ExcludedDate(date(2027, 2, 14), NO_DELIVERY_DAY) in after.excluded
    assert option_dates(after) == [date(2027, 2, 15)]


def test_an_extra_delivery_day_without_its_own_time_takes_the_routes():
    sunday = route(exceptions={date(2026, 12, 20): DateException(delivers=True, order_by_time=None)})

    judged = judge_date(sunday, date(2026, 12, 20), at(AMSTERDAM, 2026, 12, 18, 12, 0))

    assert judged == DeliveryOption(date(2026, 12, 20), at(AMSTERDAM, 2026, 12, 19, 14, 0))


def test_the_next_available_date_after_a_run_of_holidays_is_the_first_day_the_route_delivers_again():
    closed = {date(2026, 12, 24) + timedelta(days=n): DateException(False, None) for n in range(6)}  # 24th-29th
    holidays = route(exceptions=closed)
    now = at(AMSTERDAM, 2026, 12, 22, 9, 0)

    assert next_available(holidays, now, on_or_after=date(2026, 12, 25)) == DeliveryOption(
        date(2026, 12, 30), at(AMSTERDAM, 2026, 12, 29, 14, 0)
    )
    option, problem = promised_option(calendar=holidays, now=now, requested=date(2026, 12, 27))
    assert option is None
    assert problem == {
        "field": "requested_delivery_date",
        "code": "delivery_date_unavailable",
        "date": "2026-12-27",
        "reason": HOLIDAY,
        "next_available": "2026-12-30",
        "detail": "requested_delivery_date 2026-12-27 is not available: route AMS-NL does not deliver that day "
        "(a holiday); the next available date is 2026-12-30.",
    }


# --- daylight-saving changes ----------------------------------------------------------------


def test_the_last_sunday_of_march_keeps_the_wall_clock_time_and_changes_the_offset():
    # Clocks go forward in Amsterdam at 02:00 on Sunday 28 March 2027.
    every_day = route(weekdays=range(1, 8))
    promise = delivery_promise(calendar=every_day, now=at(AMSTERDAM, 2027, 3, 27, 9, 0), days=3)

    assert [(o.date, o.order_by.isoformat()) for o in promise.options] == [
        (date(2027, 3, 28), "2027-03-27T14:00:00+01:00"),
        (date(2027, 3, 29), "2027-03-28T14:00:00+02:00"),
    ]
    # Two order-by moments a day apart on the clock are 23 hours apart in time.
    first, second = promise.options
    assert second.order_by.astimezone(UTC) - first.order_by.astimezone(UTC) == timedelta(hours=23)


def test_the_last_sunday_of_october_keeps_the_wall_clock_time_and_changes_the_offset():
    # Clocks go back in Amsterdam at 03:00 on Sunday 31 October 2027.
    every_day = route(weekdays=range(1, 8))
    promise = delivery_promise(calendar=every_day, now=at(AMSTERDAM, 2027, 10, 30, 9, 0), days=3)

    assert [o.order_by.isoformat() for o in promise.options] == [
        "2027-10-30T14:00:00+02:00",
        "2027-10-31T14:00:00+01:00",
    ]
    first, second = promise.options
    assert second.order_by.astimezone(UTC) - first.order_by.astimezone(UTC) == timedelta(hours=25)


def test_one_second_before_an_order_by_time_on_the_day_the_clocks_change_is_still_in_time():
    every_day = route(weekdays=range(1, 8))
    # 13:59:59 CEST on 28 March 2027 is 11:59:59 UTC.
    just_before = datetime(2027, 3, 28, 11, 59, 59, tzinfo=UTC)

    assert judge_date(every_day, date(2027, 3, 29), just_before).date == date(2027, 3, 29)
    assert judge_date(every_day, date(2027, 3, 29), just_before + timedelta(seconds=1)) == ExcludedDate(
        date(2027, 3, 29), CUTOFF_PASSED
    )


def test_an_order_by_time_the_clocks_skip_falls_an_hour_later_on_the_clock():
    # 02:30 does not exist in Amsterdam on 28 March 2027: it means 03:30 CEST (01:30 UTC).
    night_route = route(weekdays=range(1, 8), order_by=time(2, 30))

    judged = judge_date(night_route, date(2027, 3, 29), at(AMSTERDAM, 2027, 3, 27, 12, 0))

    assert judged.order_by.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert judged.order_by.isoformat() == "2027-03-28T03:30:00+02:00"


def test_a_london_route_and_an_amsterdam_route_differ_by_their_offsets_on_the_same_day():
    # Both order by 10:00 the day before; at 09:30 UTC on Monday 7 December 2026 it is
    # 09:30 in London and 10:30 in Aalsmeer.
    london = route("LHR-UK", zone=LONDON, weekdays=range(1, 8), order_by=time(10, 0))
    amsterdam = route("AMS-NL", zone=AMSTERDAM, weekdays=range(1, 8), order_by=time(10, 0))
    now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)

    from_london = delivery_promise(calendar=london, now=now, days=3)
    from_amsterdam = delivery_promise(calendar=amsterdam, now=now, days=3)

    assert from_london.options[0].date == date(2026, 12, 8)
    assert from_london.options[0].order_by.isoformat() == "2026-12-07T10:00:00+00:00"
    assert from_amsterdam.options[0].date == date(2026, 12, 9)
    assert ExcludedDate(date(2026, 12, 8), CUTOFF_PASSED) in from_amsterdam.excluded


def test_in_the_week_only_europe_has_changed_its_clocks_the_offsets_differ_as_they_do():
    # Neither zone differs from the other by more than an hour; in 2027 both change on 28
    # March, so the day before London is +00:00 and Amsterdam +01:00, and after +01:00/+02:00.
    london = route("LHR-UK", zone=LONDON, weekdays=range(1, 8), order_by=time(10, 0))
    amsterdam = route("AMS-NL", zone=AMSTERDAM, weekdays=range(1, 8), order_by=time(10, 0))
    now = at(UTC, 2027, 3, 26, 6, 0)

    def offsets(calendar):
        return [o.order_by.isoformat()[-6:] for o in delivery_promise(calendar=calendar, now=now, days=4).options]

    assert offsets(london) == ["+00:00", "+00:00", "+01:00"]
    assert offsets(amsterdam) == ["+01:00", "+01:00", "+02:00"]


# --- the edges ------------------------------------------------------------------------------


def test_a_date_in_the_past_is_refused_as_past_with_today_or_later_as_next():
    option, problem = promised_option(
        calendar=route(), now=at(AMSTERDAM, 2026, 12, 1, 9, 0), requested=date(2026, 11, 30)
    )

    assert option is None
    assert (problem["reason"], problem["next_available"]) == (CUTOFF_PASSED, "2026-12-02")
    assert problem["detail"].startswith("requested_delivery_date 2026-11-30 is not available: it is in the past;")


def test_a_date_too_far_ahead_is_refused_and_points_at_the_earliest_option():
    now = at(AMSTERDAM, 2026, 12, 1, 9, 0)
    far = now.date() + timedelta(days=MAX_DAYS_AHEAD + 1)

    option, problem = promised_option(calendar=route(), now=now, requested=far)

    assert (problem["reason"], problem["next_available"]) == (TOO_FAR_AHEAD, "2026-12-02")


def test_without_a_requested_date_an_order_gets_the_earliest_option():
    option, problem = promised_option(calendar=route(), now=at(AMSTERDAM, 2026, 12, 5, 14, 0), requested=None)

    # Saturday after 14:00: Sunday is skipped, Monday's order-by is Sunday 14:00.
    assert (option, problem) == (DeliveryOption(date(2026, 12, 7), at(AMSTERDAM, 2026, 12, 6, 14, 0)), None)


def test_a_route_with_no_day_ahead_has_no_earliest_option_and_says_so():
    never = route(weekdays=())

    option, problem = promised_option(calendar=never, now=at(AMSTERDAM, 2026, 12, 1, 9, 0), requested=None)

    assert option is None
    assert (problem["code"], problem["next_available"]) == ("delivery_date_unavailable", None)


@pytest.mark.parametrize("days", [1, 21, 92])
def test_the_promise_judges_exactly_the_days_asked_for_from_today(days):
    promise = delivery_promise(calendar=route(), now=at(AMSTERDAM, 2026, 12, 1, 9, 0), days=days)

    judged = sorted([o.date for o in promise.options] + [e.date for e in promise.excluded])
    assert judged == [date(2026, 12, 1) + timedelta(days=n) for n in range(days)]


def test_in_the_hour_the_clocks_go_back_the_order_by_moment_is_judged_as_an_instant():
    # 02:30 happens twice in Amsterdam on 31 October 2027; the order-by time 02:30 is the
    # first (CEST, 00:30 UTC). At the second 02:15 (CET, 01:15 UTC) it has passed,
    # although the clock reads earlier than 02:30.
    night_route = route(weekdays=range(1, 8), order_by=time(2, 30))
    second_quarter_past_two = datetime(2027, 10, 31, 2, 15, fold=1, tzinfo=AMSTERDAM)

    judged = judge_date(night_route, date(2027, 11, 1), second_quarter_past_two)

    assert judged == ExcludedDate(date(2027, 11, 1), CUTOFF_PASSED)
