"""A route's month view and its "add exceptions for a date range" form: what a planner
reads (delivery days, holidays, extra days with their own order-by, days without
delivery, today, passed order-by times, right across daylight saving), and a run of
dates set at once, exactly on the weekdays chosen, or refused naming the field."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from backoffice.roles import CUSTOMER_SERVICE, WAREHOUSE
from fulfillment.factories import RouteExceptionFactory
from fulfillment.models import Route, RouteException
from orders.exceptions import DeliveryDateUnavailableError
from tests.support.admin import messages_of
from tests.support.journey import place
from tests.support.roles import staff_in

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def calendar_url(route, month: str | None = None) -> str:
    url = reverse("admin:fulfillment_route_calendar", args=[route.pk])
    return f"{url}?month={month}" if month else url


def range_url(route) -> str:
    return reverse("admin:fulfillment_route_exceptions_for_dates", args=[route.pk])


def cell(html: str, day: str) -> tuple[list[str], str]:
    """Return the CSS classes and the text of the month view's cell for `day`."""
    found = re.search(rf'<td class="([^"]*)" data-date="{day}"[^>]*>(.*?)</td>', html, re.S)
    assert found, f"no cell for {day}"
    return found[1].split(), " ".join(re.sub(r"<[^>]+>", " ", found[2]).split())


@pytest.mark.django_db
def test_the_month_shows_a_holiday_an_extra_saturday_a_day_without_delivery_today_and_passed_days(
    staff_client, clerk, routes
):
    rtm = routes["RTM-NL"]
    RouteExceptionFactory(route=rtm, date=date(2027, 2, 15), delivers=False, note="Carnival")
    RouteExceptionFactory(route=rtm, date=date(2027, 2, 13), delivers=True, order_by_time=time(10), note="Valentine")

    with time_machine.travel(datetime(2027, 2, 10, 11, 0, tzinfo=AMSTERDAM), tick=False):
        staff_client.force_login(clerk)  # a session of today would have expired by then
        html = staff_client.get(calendar_url(rtm, "2027-02")).content.decode()

    assert cell(html, "2027-02-13") == (
        ["extra_delivery"],
        "13 extra delivery day order by Fri 12 Feb 10:00 (own time) Valentine",
    )
    assert 'datetime="2027-02-12T10:00:00+01:00"' in html
    assert cell(html, "2027-02-15") == (["holiday"], "15 holiday Carnival")
    assert cell(html, "2027-02-14") == (["no_delivery"], "14 no delivery route does not deliver on Sundays")
    assert cell(html, "2027-02-11") == (["delivery"], "11 delivery order by Wed 10 Feb 12:00")
    assert cell(html, "2027-02-10") == (
        ["delivery", "today", "passed"],
        "10 today delivery order by Tue 9 Feb 12:00 order-by passed",
    )
    assert "passed" in cell(html, "2027-02-01")[0]
    assert "RTM-NL: February 2027" in html and "Europe/Amsterdam" in html


@pytest.mark.django_db
def test_the_dst_week_shows_each_order_by_on_the_warehouse_clock_with_the_offset_of_its_day(
    staff_client, clerk, routes
):
    # Sunday 29 March 2026, 14:30 in Amsterdam: summer time began at 02:00 that night.
    with time_machine.travel(datetime(2026, 3, 29, 14, 30, tzinfo=AMSTERDAM), tick=False):
        staff_client.force_login(clerk)
        amsterdam = staff_client.get(calendar_url(routes["AMS-NL"], "2026-03")).content.decode()
        london = staff_client.get(calendar_url(routes["LHR-UK"], "2026-03")).content.decode()

    assert 'datetime="2026-03-27T14:00:00+01:00"' in amsterdam
    assert cell(amsterdam, "2026-03-30") == (
        ["delivery", "passed"],
        "30 delivery order by Sun 29 Mar 14:00 order-by passed",
    )
    assert 'datetime="2026-03-29T14:00:00+02:00"' in amsterdam
    assert cell(amsterdam, "2026-03-31") == (["delivery"], "31 delivery order by Mon 30 Mar 14:00")
    assert cell(london, "2026-03-27")[1] == "27 delivery order by Wed 25 Mar 10:00 order-by passed"
    assert 'datetime="2026-03-29T10:00:00+01:00"' in london and 'datetime="2026-03-25T10:00:00+00:00"' in london
    assert "Europe/London" in london


@pytest.mark.django_db
def test_the_month_links_to_the_months_before_and_after_and_defaults_to_this_one(staff_client, clerk, routes):
    with time_machine.travel(datetime(2027, 1, 20, 9, tzinfo=AMSTERDAM), tick=False):
        staff_client.force_login(clerk)
        january = staff_client.get(calendar_url(routes["AMS-NL"])).content.decode()
        december = staff_client.get(calendar_url(routes["AMS-NL"], "2026-12")).content.decode()

    assert "AMS-NL: January 2027" in january
    assert 'href="?month=2026-12"' in january and 'href="?month=2027-02"' in january
    assert 'href="?month=2026-11"' in december and 'href="?month=2027-01"' in december


@pytest.mark.parametrize("month", ["2027-13", "Feb 2027", "1999-12", "2027-2"])
@pytest.mark.django_db
def test_a_bad_month_is_named_and_this_month_shown_instead(staff_client, clerk, routes, month):
    with time_machine.travel(datetime(2027, 1, 20, 9, tzinfo=AMSTERDAM), tick=False):
        staff_client.force_login(clerk)
        response = staff_client.get(calendar_url(routes["AMS-NL"], month))

    assert response.status_code == 200
    assert "AMS-NL: January 2027" in response.content.decode()
    [message] = messages_of(response)
    assert message.startswith(f"month {month!r} is not a month from 2000-01 to 2999-12 written YYYY-MM")


@pytest.mark.django_db
def test_an_unknown_route_sends_the_planner_back_saying_so(staff_client, routes):
    response = staff_client.get(reverse("admin:fulfillment_route_calendar", args=[999999]), follow=True)

    assert "999999" in " ".join(messages_of(response))


def range_form(**changes) -> dict:
    return {
        "first": "2027-02-08",
        "last": "2027-02-14",
        "weekdays": ["6", "7"],
        "delivers": "yes",
        "order_by_time": "10:00",
        "note": "Valentine",
        **changes,
    }


@pytest.mark.django_db
def test_a_date_range_sets_exactly_the_chosen_weekdays_and_says_how_many(staff_client, routes):
    route = routes["RTM-NL"]
    RouteExceptionFactory(route=route, date=date(2027, 2, 13), delivers=False, note="was a holiday")

    response = staff_client.post(range_url(route), range_form(), follow=True)

    rows = RouteException.objects.filter(route=route).order_by("date")
    assert [(row.date, row.delivers, row.order_by_time, row.note) for row in rows] == [
        (date(2027, 2, 13), True, time(10), "Valentine"),
        (date(2027, 2, 14), True, time(10), "Valentine"),
    ]
    assert messages_of(response) == ["2 date(s) of RTM-NL set as a delivery day: 2027-02-13, 2027-02-14."]
    assert response.redirect_chain[-1][0] == calendar_url(route, "2027-02")


@pytest.mark.django_db
def test_a_holiday_range_on_weekdays_sets_holidays_without_an_order_by(staff_client, routes):
    route = routes["AMS-NL"]

    staff_client.post(
        range_url(route),
        range_form(first="2026-12-21", last="2027-01-03", weekdays=["1", "2", "3", "4", "5"], delivers="no"),
    )

    rows = RouteException.objects.filter(route=route)
    assert sorted(row.date.isoformat() for row in rows) == [
        "2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-25",
        "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01",
    ]  # fmt: skip
    assert {(row.delivers, row.order_by_time) for row in rows} == {(False, None)}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"last": "2027-02-01"}, "last", "The last date is before the first."),
        ({"last": "2027-05-11"}, "last", "At most 92 dates at once; 2027-02-08 to 2027-05-11 is 93."),
        ({"weekdays": []}, "weekdays", "weekdays: choose at least one weekday."),
        ({"weekdays": ["9"]}, "weekdays", "weekdays: 9 is not an ISO weekday (1 is Monday, 7 Sunday)."),
        ({"first": "2027-02-31"}, "first", "Enter a valid date."),
        ({"order_by_time": "25:00"}, "order_by_time", "Enter a valid time."),
        ({"delivers": ""}, "delivers", "This field is required."),
        (
            {"first": "2027-02-08", "last": "2027-02-12", "weekdays": ["6"]},
            "weekdays",
            "No date from 2027-02-08 to 2027-02-12 falls on these weekdays; nothing was set.",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_range_is_refused_naming_the_field_and_changes_nothing(staff_client, routes, changes, field, message):
    route = routes["RTM-NL"]
    RouteExceptionFactory(route=route, date=date(2027, 2, 13), delivers=False, note="kept")

    response = staff_client.post(range_url(route), range_form(**changes))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    assert message in response.content.decode().replace("&#x27;", "'")
    assert [(row.date, row.delivers, row.note) for row in RouteException.objects.filter(route=route)] == [
        (date(2027, 2, 13), False, "kept")
    ]


@pytest.mark.django_db
def test_a_role_without_the_rights_is_refused_the_pages_and_changes_nothing(client, routes):
    route = routes["AMS-NL"]
    client.force_login(staff_in("service", CUSTOMER_SERVICE))

    assert client.get(calendar_url(route, "2027-02")).status_code == 200  # customer service reads routes
    assert client.get(range_url(route)).status_code == 403
    assert client.post(range_url(route), range_form()).status_code == 403

    client.force_login(staff_in("nobody"))
    assert client.get(calendar_url(route, "2027-02")).status_code == 403
    assert not RouteException.objects.exists()


@pytest.mark.django_db
def test_the_warehouse_role_plans_a_peak_week(client, routes):
    client.force_login(staff_in("planner", WAREHOUSE))

    page = client.get(calendar_url(routes["AMS-NL"], "2027-02")).content.decode()
    response = client.post(range_url(routes["AMS-NL"]), range_form(weekdays=["7"]))

    assert range_url(routes["AMS-NL"]) in page
    assert response.status_code == 302
    assert RouteException.objects.get().date == date(2027, 2, 14)


@pytest.mark.django_db(transaction=True)
def test_a_range_set_in_the_admin_is_what_the_next_order_is_judged_by(
    staff_client, account_buyer, make_product, warehouses
):
    make_product("RO-RANGE", stock={warehouses["RTM"]: 100}, case_pack=1, list_price=Decimal("1.00"))
    route = Route.objects.get(code="RTM-ALL")  # FERN's home route: every day, by 23:59:59
    first = timezone.localdate() + timedelta(days=4)
    place(account_buyer, {"RO-RANGE": 1}, requested_delivery_date=first)  # warms this process's calendar

    every_day = [str(day) for day in range(1, 8)]
    form = range_form(first=first.isoformat(), last=(first + timedelta(days=2)).isoformat(), weekdays=every_day)
    assert staff_client.post(range_url(route), form | {"delivers": "no"}).status_code == 302

    for day in (first, first + timedelta(days=2)):
        with pytest.raises(DeliveryDateUnavailableError) as refused:
            place(account_buyer, {"RO-RANGE": 1}, requested_delivery_date=day)
        assert refused.value.errors[0]["next_available"] == (first + timedelta(days=3)).isoformat()
