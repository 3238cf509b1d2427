"""The delivery calendar as the promise reads it (every route with its warehouse's time
zone, weekdays, order-by time, lead days and dated exceptions), kept in this process
between requests under a version key in Redis (config.cache_versions), so that intake
promises a date without a query.

Routes are few (tens) and each has a handful of exceptions a year, so the whole
calendar is read at once, in two queries, the first time a request needs it after a
change. A save or delete of a Route, RouteException or Warehouse gives the key a new
value once its transaction commits (the model signals below, the one place that turns
those writes into a bump), and the next request in any process reads the calendar again.
Writes that bypass the model (`QuerySet.update`, `bulk_create`) call `calendar_changed`."""

import logging
import time
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock_time

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from redis.exceptions import RedisError

from config.cache_versions import MAX_AGE_SECONDS, bump_on_commit, read_versions, writes_pending_here
from fulfillment.models import Route, RouteException
from inventory.models import Warehouse

logger = logging.getLogger("bouquet.fulfillment")

CALENDAR_KEY = "bouquet:intake:calendar"
# Exceptions before this many days ago are history: no promise reads them.
EXCEPTIONS_KEPT_DAYS_BACK = 2


@dataclass(frozen=True, slots=True)
class DateException:
    delivers: bool
    order_by_time: clock_time | None


@dataclass(frozen=True, slots=True)
class RouteCalendar:
    """One route's week and exceptions, as the promise reads them."""

    id: int
    code: str
    name: str
    warehouse_id: int
    warehouse_code: str
    zone: zoneinfo.ZoneInfo
    delivery_weekdays: frozenset[int]
    order_by_time: clock_time
    lead_days: int
    exceptions: Mapping[date, DateException]


class _Shelf:
    __slots__ = ("version", "stocked_at", "routes")

    def __init__(self, version: bytes | None, routes: dict[int, RouteCalendar], now: float = 0.0):
        self.version = version
        self.stocked_at = now
        self.routes = routes

    def holds(self, version: bytes | None, now: float) -> bool:
        return version is not None and self.version == version and now - self.stocked_at < MAX_AGE_SECONDS


_shelf = _Shelf(None, {})


def load_calendars() -> dict[int, RouteCalendar]:
    """Read every route's calendar from PostgreSQL (two queries)."""
    since = timezone.now().date() - timedelta(days=EXCEPTIONS_KEPT_DAYS_BACK)
    exceptions: dict[int, dict[date, DateException]] = {}
    for route_id, day, delivers, order_by_time in RouteException.objects.filter(date__gte=since).values_list(
        "route_id", "date", "delivers", "order_by_time"
    ):
        exceptions.setdefault(route_id, {})[day] = DateException(delivers, order_by_time)
    rows = Route.objects.values_list(
        "id",
        "code",
        "name",
        "warehouse_id",
        "warehouse__code",
        "warehouse__timezone",
        "delivery_weekdays",
        "order_by_time",
        "lead_days",
    )
    calendars = {}
    for route_id, code, name, warehouse_id, warehouse_code, zone_name, weekdays, order_by_time, lead_days in rows:
        zone = _zone_or_none(zone_name)
        if zone is None:
            # One warehouse's bad zone (written around the model's validator) must not
            # stop every other route from promising: this one promises nothing.
            logger.error("route left out of the calendar: bad time zone", extra={"route": code, "zone": zone_name})
            continue
        calendars[route_id] = RouteCalendar(
            id=route_id,
            code=code,
            name=name,
            warehouse_id=warehouse_id,
            warehouse_code=warehouse_code,
            zone=zone,
            delivery_weekdays=frozenset(weekdays),
            order_by_time=order_by_time,
            lead_days=lead_days,
            exceptions=exceptions.get(route_id, {}),
        )
    return calendars


def _zone_or_none(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def home_route(calendars: Mapping[int, RouteCalendar], warehouse_id: int | None) -> RouteCalendar | None:
    """Return the route an address of a partner with this home warehouse gets unless
    told otherwise: the warehouse's first route by code (None when it has none)."""
    routes = [calendar for calendar in calendars.values() if calendar.warehouse_id == warehouse_id]
    return min(routes, key=lambda calendar: calendar.code) if routes else None


def address_calendar(
    calendars: Mapping[int, RouteCalendar], route_id: int | None, home_warehouse_id: int | None
) -> RouteCalendar | None:
    """Return the calendar of the route that serves an address: its own route, else
    (an address made without one) its partner's home route (DESIGN section 10)."""
    calendar = calendars.get(route_id) if route_id is not None else None
    return calendar or home_route(calendars, home_warehouse_id)


def calendars_under(version: bytes | None) -> Mapping[int, RouteCalendar]:
    """Return every route's calendar by route id: what this process holds under
    `version` (read from CALENDAR_KEY before any query of this request), else read
    anew. With no version (Redis unreadable) or the request's own calendar writes
    pending, read PostgreSQL and keep nothing."""
    global _shelf
    if version is None or writes_pending_here():
        return load_calendars()
    now = time.monotonic()
    shelf = _shelf  # once: another thread may replace it meanwhile
    if not shelf.holds(version, now):
        shelf = _shelf = _Shelf(version, load_calendars(), now)
    return shelf.routes


def current_calendars() -> Mapping[int, RouteCalendar]:
    """Return every route's calendar by route id, checked against the version key
    (one Redis round trip). Intake reads the key with its own in one trip instead."""
    try:
        [version] = read_versions(CALENDAR_KEY)
    except RedisError as exc:
        logger.warning("calendar version unreadable; reading the database", extra={"error": repr(exc)})
        version = None
    return calendars_under(version)


def forget_local_calendar(key: str = CALENDAR_KEY) -> None:
    """Drop the calendar this process holds (the next request reads the database)."""
    global _shelf
    _shelf = _Shelf(None, {})


def calendar_changed() -> None:
    """Tell every process that the delivery calendar changed, once this transaction commits."""
    bump_on_commit(CALENDAR_KEY, forget_local_calendar)


def _calendar_row_written(sender, instance, **kwargs) -> None:
    calendar_changed()


def connect_invalidation() -> None:
    """Bump on every save and delete of the rows the calendar is read from (FulfillmentConfig.ready)."""
    for signal in (post_save, post_delete):
        for model in (Route, RouteException, Warehouse):
            signal.connect(
                _calendar_row_written, sender=model, dispatch_uid=f"calendar_{model.__name__}_{signal is post_save}"
            )
