"""Reads of shipments for the warehouse systems (each with its order number, warehouse
and lines) and of the delivery calendar's rows for the API (routes with their coming
exceptions, ship-tos with their route), in a fixed number of queries however many are
listed. A partner's user sees its own ship-tos and the routes serving them only."""

import zoneinfo
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet

from fulfillment.exceptions import RouteNotFoundError, ShipmentNotFoundError, UnknownRouteError
from fulfillment.models import Route, RouteException, Shipment, ShipmentLine
from partners.exceptions import ShipToNotFoundError
from partners.models import Partner, ShipToAddress


def _shipments() -> QuerySet[Shipment]:
    return Shipment.objects.select_related("order", "warehouse").prefetch_related(
        Prefetch("lines", queryset=ShipmentLine.objects.select_related("product").order_by("id"))
    )


def list_shipments(*, warehouse=None, status: str | None = None) -> QuerySet[Shipment]:
    """Return shipments oldest first, only the warehouse's and in the status when
    given."""
    shipments = _shipments().order_by("id")
    if warehouse is not None:
        shipments = shipments.filter(warehouse=warehouse)
    if status:
        shipments = shipments.filter(status=status)
    return shipments


def get_shipment(*, shipment_id: int) -> Shipment:
    """Return the shipment with its order, warehouse and lines; raise
    ShipmentNotFoundError naming the id when there is none."""
    shipment = _shipments().filter(id=shipment_id).first()
    if shipment is None:
        raise ShipmentNotFoundError(f"Shipment {shipment_id} does not exist.")
    return shipment


def _routes(*, now: datetime) -> QuerySet[Route]:
    # A day back from UTC's date: no zone's today is earlier; upcoming_exceptions trims per zone.
    since = now.date() - timedelta(days=1)
    return Route.objects.select_related("warehouse").prefetch_related(
        Prefetch(
            "exceptions", queryset=RouteException.objects.filter(date__gte=since).order_by("date"), to_attr="coming"
        )
    )


def routes_visible_to(*, partner: Partner | None, now: datetime) -> QuerySet[Route]:
    """Return the routes by code, each with its exceptions from a day before `now`
    (upcoming_exceptions keeps those from the warehouse's today): all of them for staff
    (partner None), else the routes serving the partner's addresses."""
    routes = _routes(now=now).order_by("code")
    if partner is not None:
        routes = routes.filter(id__in=ShipToAddress.objects.filter(partner=partner).values("route_id"))
    return routes


def get_route(*, code: str, now: datetime, partner: Partner | None = None) -> Route:
    """Return the route with this code as routes_visible_to scopes it; raise
    RouteNotFoundError naming the code for one outside the scope or none at all."""
    route = routes_visible_to(partner=partner, now=now).filter(code=code).first() if "\x00" not in code else None
    if route is None:
        raise RouteNotFoundError(f"Route {code} not found.")
    return route


def upcoming_exceptions(route: Route, *, now: datetime) -> list[RouteException]:
    """Return the route's exceptions from today on its warehouse's clock, by date
    (the route as routes_visible_to or get_route read it)."""
    today: date = now.astimezone(zoneinfo.ZoneInfo(route.warehouse.timezone)).date()
    return [exception for exception in route.coming if exception.date >= today]


def find_route_for_body(*, code: str, field: str = "route") -> Route:
    """Return the route a request body names; raise UnknownRouteError (422) naming the
    field and the code when no route has it."""
    route = Route.objects.filter(code=code).first() if "\x00" not in code else None
    if route is None:
        detail = f"{field} {code!r} is not a route's code."
        raise UnknownRouteError(detail, errors=[{"field": field, "code": UnknownRouteError.code, "detail": detail}])
    return route


def ship_tos_visible_to(*, partner: Partner | None, of_partner: Partner | None = None) -> QuerySet[ShipToAddress]:
    """Return the addresses with their partner and route, by partner, the default
    first: the partner's own (partner given), else all of them or `of_partner`'s."""
    addresses = ShipToAddress.objects.select_related("partner", "route").order_by(
        "partner__code", "-is_default", "label", "id"
    )
    owner = partner or of_partner
    return addresses if owner is None else addresses.filter(partner=owner)


def get_ship_to(*, ship_to_id: int, partner: Partner | None) -> ShipToAddress:
    """Return the address with this id as ship_tos_visible_to scopes it; raise
    ShipToNotFoundError naming the id for another partner's address or none at all."""
    address = ship_tos_visible_to(partner=partner).filter(id=ship_to_id).first()
    if address is None:
        raise ShipToNotFoundError(f"Ship-to {ship_to_id} not found.")
    return address
