"""A route's month as a planner reads it (the back office's month view): each day a
delivery day, an extra delivery day, a holiday or a day without delivery, with its
order-by moment and, seen from `now`, whether it can still be ordered and why not.

Every day is judged by the promise itself (fulfillment.promise `judge_date` and
`order_by_moment`) over the route's calendar from `current_calendars()`, so the page
cannot disagree with what intake accepts. The calendar the promise reads keeps no
exception older than a couple of days; this page also shows past days, so it lays the
month's exception rows (with their notes, which the promise does not need) over it."""

import calendar as weeks_of
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from fulfillment.calendar import DateException, RouteCalendar, current_calendars
from fulfillment.exceptions import RouteNotFoundError
from fulfillment.models import RouteException
from fulfillment.promise import DeliveryOption, judge_date, local_today, order_by_moment

DELIVERY = "delivery"
EXTRA_DELIVERY = "extra_delivery"
HOLIDAY = "holiday"
NO_DELIVERY = "no_delivery"
DayKind = Literal["delivery", "extra_delivery", "holiday", "no_delivery"]

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class RouteDay:
    date: date
    kind: DayKind
    order_by: datetime | None  # aware, on the warehouse's clock; None on a day without delivery
    orderable: bool  # an option of the promise at `now`
    reason: str | None  # why it is not an option (fulfillment.promise.REASONS), None when it is
    own_order_by: bool  # an exception gives the day an order-by time of its own
    note: str
    today: bool

    @property
    def order_by_text(self) -> str:
        return order_by_text(self.order_by) if self.order_by else ""


@dataclass(frozen=True, slots=True)
class RouteMonth:
    route: RouteCalendar
    year: int
    month: int
    weeks: list[list[RouteDay | None]]  # Monday to Sunday; None outside the month


def weekdays_text(weekdays) -> str:
    """Return ISO weekdays as a planner writes them: "Mon–Sat", "Tue, Fri", "Mon–Wed, Fri"."""
    days = sorted(set(weekdays))
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = WEEKDAY_NAMES[run[0] - 1], WEEKDAY_NAMES[run[-1] - 1]
        parts.append(first if len(run) == 1 else f"{first}, {last}" if len(run) == 2 else f"{first}–{last}")
    return ", ".join(parts) or "none"


def order_by_text(moment: datetime) -> str:
    """Return an order-by moment as the back office shows it: "Thu 12 Feb 14:00"."""
    return f"{WEEKDAY_NAMES[moment.weekday()]} {moment.day} {moment:%b %H:%M}"


def _day_kind(route: RouteCalendar, day: date, exception: DateException | None, order_by) -> DayKind:
    if order_by is None:
        return HOLIDAY if exception is not None else NO_DELIVERY
    if exception is not None and day.isoweekday() not in route.delivery_weekdays:
        return EXTRA_DELIVERY
    return DELIVERY


def judge_route_day(route: RouteCalendar, day: date, now: datetime, *, note: str = "") -> RouteDay:
    """Return one day of the route as the promise sees it at `now`."""
    exception = route.exceptions.get(day)
    order_by = order_by_moment(route, day)
    judged = judge_date(route, day, now)
    orderable = isinstance(judged, DeliveryOption)
    return RouteDay(
        date=day,
        kind=_day_kind(route, day, exception, order_by),
        order_by=order_by,
        orderable=orderable,
        reason=None if orderable else judged.reason,
        own_order_by=exception is not None and exception.delivers and exception.order_by_time is not None,
        note=note,
        today=day == local_today(route, now),
    )


def month_of_route(*, route_id: int, now: datetime, year: int | None = None, month: int | None = None) -> RouteMonth:
    """Return the route's month day by day as seen at `now`: `year` and `month` (a real
    one, 1 to 12), or without them the month of today on the warehouse's clock. Raise
    RouteNotFoundError when there is no such route."""
    route = current_calendars().get(route_id)
    if route is None:
        raise RouteNotFoundError(f"Route {route_id} does not exist.")
    if year is None or month is None:
        today = local_today(route, now)
        year, month = today.year, today.month
    weeks = weeks_of.Calendar(firstweekday=0).monthdatescalendar(year, month)
    rows = RouteException.objects.filter(route_id=route_id, date__range=(weeks[0][0], weeks[-1][-1])).values_list(
        "date", "delivers", "order_by_time", "note"
    )
    notes = {day: note for day, _, _, note in rows}
    route = dataclasses.replace(
        route,
        exceptions={
            **route.exceptions,
            **{day: DateException(delivers, order_by_time) for day, delivers, order_by_time, _ in rows},
        },
    )
    return RouteMonth(
        route=route,
        year=year,
        month=month,
        weeks=[
            [judge_route_day(route, day, now, note=notes.get(day, "")) if day.month == month else None for day in week]
            for week in weeks
        ],
    )
