"""Which delivery date an order gets: the promise (fulfillment.promise) for the route
of the address it ships to, with the calendar from intake's per-process cache. Intake
asks here for every order, whichever door it came through; the portal's date picker
and the API's delivery options ask here for the list."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from fulfillment.calendar import RouteCalendar, home_route
from fulfillment.promise import DEFAULT_DAYS, DeliveryOption, DeliveryPromise, delivery_promise, promised_option
from orders.intake_cache import IntakeReads, intake_reads
from orders.models import Order
from partners.models import Partner


@dataclass(frozen=True, slots=True)
class PromisedDelivery:
    route: RouteCalendar
    option: DeliveryOption


def route_for_address(*, reads: IntakeReads, partner: Partner, address_id: int | None) -> RouteCalendar | None:
    """Return the calendar of the route that delivers to the address (None: the
    partner's default address). An address without a route of its own (made while
    older code ran), or a partner without any address, is served by the partner's home
    route (DESIGN section 10: "by default a route of its partner's home warehouse")."""
    if address_id is None:
        address_id = reads.default_ship_to_id()
    route = reads.route_calendar(address_id) if address_id is not None else None
    return route or home_route(reads.calendars(), partner.home_warehouse_id)


def no_route_problem(partner: Partner, address_id: int | None) -> dict:
    where = f"ship_to {address_id}" if address_id is not None else f"partner {partner.code}'s home warehouse"
    return {
        "field": "ship_to",
        "code": "no_delivery_route",
        "detail": f"No delivery route serves {where}; the back office must assign one before it can be ordered for.",
    }


def promise_delivery(
    *, reads: IntakeReads, partner: Partner, address_id: int | None, requested: date | None, now: datetime
) -> tuple[PromisedDelivery | None, dict | None]:
    """Return (the route and option the order gets, None) or (None, the problem): the
    requested date when it is an option, else the earliest."""
    route = route_for_address(reads=reads, partner=partner, address_id=address_id)
    if route is None:
        return None, no_route_problem(partner, address_id)
    option, problem = promised_option(calendar=route, now=now, requested=requested)
    if problem is not None:
        return None, problem
    return PromisedDelivery(route=route, option=option), None


def delivery_promise_for(
    *, partner: Partner, address_id: int | None, now: datetime, days: int = DEFAULT_DAYS
) -> DeliveryPromise | None:
    """Return the promise for one of the partner's addresses (checked by the caller to
    be the partner's; None: its default), or None when no route serves it."""
    reads = intake_reads(partner_id=partner.id)
    route = route_for_address(reads=reads, partner=partner, address_id=address_id)
    if route is None:
        return None
    return delivery_promise(calendar=route, now=now, days=days)


def default_address_id(*, partner: Partner) -> int | None:
    """Return the id of the address an order of the partner ships to when it names
    none (its default; intake decides the same way), or None when it has none."""
    return intake_reads(partner_id=partner.id).default_ship_to_id()


def order_by_on_warehouse_clock(order: Order) -> datetime | None:
    """Return the order-by moment the order was accepted under, on its route's
    warehouse clock (None for an order placed before the delivery promise). Reads the
    route and warehouse: select them with the order where many are shown."""
    if order.order_by is None or order.route_id is None:
        return None
    return order.order_by.astimezone(zoneinfo.ZoneInfo(order.route.warehouse.timezone))
