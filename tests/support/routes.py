"""The demo world's delivery routes (devdata.demo_tables.ROUTES: AMS-NL Mon-Sat order by
14:00 the day before, RTM-NL Mon-Fri by 12:00, LHR-UK Tue and Fri by 10:00 London time
two days before), made through the calendar's own service for tests that need a real
calendar rather than the factories' every-day route."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from devdata.demo_tables import ROUTES
from fulfillment.models import Route
from fulfillment.routes import assign_route, upsert_route

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LONDON = ZoneInfo("Europe/London")


def demo_route(code: str, warehouses: dict) -> Route:
    """The demo route with this code, from the warehouse of the same code in `warehouses`."""
    spec = next(spec for spec in ROUTES if spec.code == code)
    route, _ = upsert_route(
        code=spec.code,
        name=spec.name,
        warehouse=warehouses[spec.warehouse],
        delivery_weekdays=list(spec.delivery_weekdays),
        order_by_time=time.fromisoformat(spec.order_by_time),
        lead_days=spec.lead_days,
    )
    return route


def put_on(code: str, warehouses: dict, *ship_tos) -> Route:
    """Serve the addresses from the demo route `code`; return the route."""
    route = demo_route(code, warehouses)
    for ship_to in ship_tos:
        assign_route(ship_to=ship_to, route=route)
    return route


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)
