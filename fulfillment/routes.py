"""Changing the delivery calendar: routes, their dated exceptions, and which route
serves a ship-to. The API, the admin and the demo world all write through here; every
save goes through the models, whose signals tell every process's calendar cache
(fulfillment.calendar) once the transaction commits."""

from collections.abc import Collection, Sequence
from datetime import date, time, timedelta

from django.db import transaction

from config.limits import matches_pattern
from fulfillment.calendar import current_calendars, home_route
from fulfillment.exceptions import CalendarError
from fulfillment.models import ISO_WEEKDAYS, MAX_LEAD_DAYS, Route, RouteException
from inventory.models import Warehouse
from partners.models import Partner, ShipToAddress

# The most dates one bulk entry may write: a peak season, not a year by mistake.
MAX_DATES_AT_ONCE = 92
# A route's code: printable ASCII without spaces, as a SKU, up to Route.code's length.
ROUTE_CODE_LENGTH = Route._meta.get_field("code").max_length
ROUTE_CODE_PATTERN = rf"^[!-~]{{1,{ROUTE_CODE_LENGTH}}}$"


def route_code_problems(code) -> list[dict]:
    """Return a problem when `code` is not 1 to 20 printable ASCII characters without spaces."""
    if isinstance(code, str) and matches_pattern(ROUTE_CODE_PATTERN, code):
        return []
    return [
        {
            "field": "code",
            "code": "invalid_route_code",
            "detail": f"Route code {code!r} must be 1 to {ROUTE_CODE_LENGTH} printable ASCII characters, no spaces.",
        }
    ]


def weekday_problems(delivery_weekdays: Sequence[int], *, field: str = "delivery_weekdays") -> list[dict]:
    """Return a problem when the weekdays are not distinct ISO weekdays (1 to 7)."""
    days = list(delivery_weekdays)
    if any(isinstance(day, bool) or not isinstance(day, int) or day not in ISO_WEEKDAYS for day in days):
        return [{"field": field, "code": "invalid_weekday", "detail": f"{field} takes ISO weekdays, 1 (Monday) to 7."}]
    if len(set(days)) != len(days):
        return [{"field": field, "code": "duplicate_weekday", "detail": f"{field} names a weekday twice."}]
    return []


def _refuse_if(problems: list[dict]) -> None:
    if problems:
        raise CalendarError(
            problems[0]["detail"] if len(problems) == 1 else "; ".join(p["detail"] for p in problems), errors=problems
        )


@transaction.atomic
def upsert_route(
    *,
    code: str,
    name: str,
    warehouse: Warehouse,
    delivery_weekdays: Sequence[int],
    order_by_time: time,
    lead_days: int,
) -> tuple[Route, bool]:
    """Create the route with this code, or change it; return it and whether it was
    created. Orders already accepted keep the date and order-by moment they were given."""
    problems = route_code_problems(code) + weekday_problems(delivery_weekdays)
    if not 0 <= lead_days <= MAX_LEAD_DAYS:
        problems.append(
            {"field": "lead_days", "code": "invalid_lead_days", "detail": f"lead_days must be 0 to {MAX_LEAD_DAYS}."}
        )
    _refuse_if(problems)
    return Route.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "warehouse": warehouse,
            "delivery_weekdays": sorted(delivery_weekdays),
            "order_by_time": order_by_time,
            "lead_days": lead_days,
        },
    )


@transaction.atomic
def set_date_exception(
    *, route: Route, day: date, delivers: bool, order_by_time: time | None = None, note: str = ""
) -> tuple[RouteException, bool]:
    """Make `day` a holiday (delivers False) or a delivery day (True) on the route,
    with its own order-by time or the route's; return the exception and whether it is new."""
    return RouteException.objects.update_or_create(
        route=route,
        date=day,
        defaults={"delivers": delivers, "order_by_time": order_by_time if delivers else None, "note": note},
    )


@transaction.atomic
def remove_date_exception(*, route: Route, day: date) -> bool:
    """Give `day` back to the route's week; return whether there was an exception."""
    deleted = 0
    for exception in RouteException.objects.filter(route=route, date=day):
        exception.delete()  # through the model: its signal tells the calendar cache
        deleted += 1
    return bool(deleted)


@transaction.atomic
def set_exceptions_for_dates(
    *,
    route: Route,
    first: date,
    last: date,
    weekdays: Collection[int],
    delivers: bool,
    order_by_time: time | None = None,
    note: str = "",
) -> list[date]:
    """Set the same exception on every date from `first` to `last` (inclusive) that
    falls on one of `weekdays` (at least one): a peak week entered at once. Return the
    dates set; refuse (CalendarError naming `weekdays` or `last`) and write nothing when
    the weekdays, or the range (backwards, or over MAX_DATES_AT_ONCE dates), are wrong."""
    problems = weekday_problems(list(weekdays), field="weekdays")
    if not weekdays:
        problems.append({"field": "weekdays", "code": "no_weekday", "detail": "Choose at least one weekday."})
    if last < first:
        problems.append({"field": "last", "code": "invalid_range", "detail": "The last date is before the first."})
    elif (last - first).days + 1 > MAX_DATES_AT_ONCE:
        problems.append(
            {
                "field": "last",
                "code": "range_too_long",
                "detail": f"At most {MAX_DATES_AT_ONCE} dates at once; {first} to {last} is {(last - first).days + 1}.",
            }
        )
    _refuse_if(problems)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    chosen = [day for day in days if day.isoweekday() in set(weekdays)]
    for day in chosen:
        set_date_exception(route=route, day=day, delivers=delivers, order_by_time=order_by_time, note=note)
    return chosen


def home_route_of(partner: Partner) -> Route | None:
    """Return the route a new address of the partner gets unless told otherwise
    (fulfillment.calendar.home_route decides), or None."""
    calendar = home_route(current_calendars(), partner.home_warehouse_id)
    return None if calendar is None else Route.objects.get(id=calendar.id)


@transaction.atomic
def assign_route(*, ship_to: ShipToAddress, route: Route) -> ShipToAddress:
    """Serve the address from `route` from now on; orders already accepted keep theirs."""
    ship_to.route = route
    ship_to.save(update_fields=["route"])  # through the model: intake's cache of the partner hears of it
    return ship_to
