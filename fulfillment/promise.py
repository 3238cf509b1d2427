"""The delivery promise (DESIGN section 10): which dates a route can still deliver on,
each with its order-by moment, and why the others cannot. One function answers for
every door: intake (API, portal, CSV), the portal's date picker and the API's delivery
options all ask here, with a calendar from fulfillment.calendar and the moment to judge.

Moments are computed in the warehouse's zone: the order-by moment of a date is the
date less the lead days, at the order-by time on that zone's wall clock, so it keeps
its wall-clock time across daylight-saving changes, and its UTC offset is the one in
force that day. A wall-clock time the zone skips (02:30 on the last Sunday of March)
means the instant an hour later on the clock (PEP 495's fold=0)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fulfillment.calendar import RouteCalendar

DEFAULT_DAYS = 21
MAX_DAYS = 92
# How far ahead an order may ask for a date; the promise lists DEFAULT_DAYS of them.
MAX_DAYS_AHEAD = 366

NO_DELIVERY_DAY = "no_delivery_day"
HOLIDAY = "holiday"
CUTOFF_PASSED = "cutoff_passed"
TOO_FAR_AHEAD = "too_far_ahead"
REASONS = (NO_DELIVERY_DAY, HOLIDAY, CUTOFF_PASSED, TOO_FAR_AHEAD)


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    date: date
    order_by: datetime  # aware, in the warehouse's zone


@dataclass(frozen=True, slots=True)
class ExcludedDate:
    date: date
    reason: str


@dataclass(frozen=True, slots=True)
class DeliveryPromise:
    route: RouteCalendar
    options: list[DeliveryOption]
    excluded: list[ExcludedDate]


def local_today(calendar: RouteCalendar, now: datetime) -> date:
    """Return the date on the warehouse's wall clock at `now`."""
    return now.astimezone(calendar.zone).date()


def order_by_moment(calendar: RouteCalendar, day: date) -> datetime | None:
    """Return the moment until which an order can be placed for delivery on `day`,
    or None when the route does not deliver that day (exceptions first, then the week)."""
    exception = calendar.exceptions.get(day)
    if exception is not None:
        if not exception.delivers:
            return None
        order_by_time = exception.order_by_time or calendar.order_by_time
    elif day.isoweekday() in calendar.delivery_weekdays:
        order_by_time = calendar.order_by_time
    else:
        return None
    wall_clock = datetime.combine(day - timedelta(days=calendar.lead_days), order_by_time, tzinfo=calendar.zone)
    # Through UTC and back: a time the clocks skip then reads as the clock shows it
    # (02:30 on the last Sunday of March is 03:30+02:00), not as 02:30+01:00.
    return wall_clock.astimezone(UTC).astimezone(calendar.zone)


def judge_date(calendar: RouteCalendar, day: date, now: datetime) -> DeliveryOption | ExcludedDate:
    """Return the option to deliver on `day` as seen at `now`, or why there is none."""
    days_ahead = (day - local_today(calendar, now)).days
    if days_ahead < 0:
        return ExcludedDate(day, CUTOFF_PASSED)
    if days_ahead > MAX_DAYS_AHEAD:
        return ExcludedDate(day, TOO_FAR_AHEAD)
    order_by = order_by_moment(calendar, day)
    if order_by is None:
        exception = calendar.exceptions.get(day)
        return ExcludedDate(day, HOLIDAY if exception is not None else NO_DELIVERY_DAY)
    # As instants: Python compares two datetimes of one zone by their wall clocks, which
    # is wrong in the hour the clocks go back.
    if now.timestamp() >= order_by.timestamp():
        return ExcludedDate(day, CUTOFF_PASSED)
    return DeliveryOption(day, order_by)


def delivery_promise(*, calendar: RouteCalendar, now: datetime, days: int = DEFAULT_DAYS) -> DeliveryPromise:
    """Return the route's options over `days` dates from today (the warehouse's), each
    with its order-by moment, and the dates left out with their reasons."""
    today = local_today(calendar, now)
    options: list[DeliveryOption] = []
    excluded: list[ExcludedDate] = []
    for offset in range(days):
        judged = judge_date(calendar, today + timedelta(days=offset), now)
        (options if isinstance(judged, DeliveryOption) else excluded).append(judged)
    return DeliveryPromise(route=calendar, options=options, excluded=excluded)


def next_available(calendar: RouteCalendar, now: datetime, *, on_or_after: date | None = None) -> DeliveryOption | None:
    """Return the first option on or after `on_or_after` (default: today), or None
    when none comes within MAX_DAYS_AHEAD."""
    today = local_today(calendar, now)
    day = max(on_or_after or today, today)
    last = today + timedelta(days=MAX_DAYS_AHEAD)
    while day <= last:
        judged = judge_date(calendar, day, now)
        if isinstance(judged, DeliveryOption):
            return judged
        day += timedelta(days=1)
    return None


_REASON_TEXT = {
    NO_DELIVERY_DAY: "route {route} does not deliver on {weekday}s",
    HOLIDAY: "route {route} does not deliver that day (a holiday)",
    CUTOFF_PASSED: "its order-by time has passed",
    TOO_FAR_AHEAD: f"it is more than {MAX_DAYS_AHEAD} days ahead",
}


def unavailable_date_problem(
    calendar: RouteCalendar, excluded: ExcludedDate, now: datetime, *, field: str = "requested_delivery_date"
) -> dict:
    """Return the problem every door reports for a date that is not an option: the
    field, the date, the reason and the next date that is (None if none)."""
    following = next_available(calendar, now, on_or_after=excluded.date)
    if following is None and excluded.reason == TOO_FAR_AHEAD:
        following = next_available(calendar, now)
    if excluded.date < local_today(calendar, now):
        why = "it is in the past"
    else:
        why = _REASON_TEXT[excluded.reason].format(route=calendar.code, weekday=excluded.date.strftime("%A"))
    then = f"the next available date is {following.date.isoformat()}" if following else "no date is available"
    return {
        "field": field,
        "code": "delivery_date_unavailable",
        "date": excluded.date.isoformat(),
        "reason": excluded.reason,
        "next_available": following.date.isoformat() if following else None,
        "detail": f"{field} {excluded.date.isoformat()} is not available: {why}; {then}.",
    }


def promised_option(
    *, calendar: RouteCalendar, now: datetime, requested: date | None
) -> tuple[DeliveryOption | None, dict | None]:
    """Return (the option an order gets, None) or (None, the problem): the requested
    date if it is an option, else the problem naming it; without a request, the
    earliest option (or a problem when the route has none ahead)."""
    if requested is None:
        earliest = next_available(calendar, now)
        if earliest is None:
            return None, {
                "field": "requested_delivery_date",
                "code": "delivery_date_unavailable",
                "date": None,
                "reason": NO_DELIVERY_DAY,
                "next_available": None,
                "detail": f"Route {calendar.code} has no delivery date in the next {MAX_DAYS_AHEAD} days.",
            }
        return earliest, None
    judged = judge_date(calendar, requested, now)
    if isinstance(judged, DeliveryOption):
        return judged, None
    return None, unavailable_date_problem(calendar, judged, now)
