from config.errors import DomainError, NotFoundError, UnprocessableError


class FulfillmentError(DomainError):
    code = "fulfillment_error"


class ShipmentNotFoundError(NotFoundError):
    code = "shipment_not_found"


class CalendarError(DomainError):
    """A route or exception that cannot be (weekdays outside 1 to 7, lead days out of
    range, a date range backwards or too long); `errors` names each field at fault."""

    code = "invalid_calendar"


class RouteNotFoundError(NotFoundError):
    code = "route_not_found"


class UnknownRouteError(UnprocessableError):
    """A body names a route code that no route has (422: the request fits the schema)."""

    code = "unknown_route"
