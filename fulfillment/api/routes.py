"""Delivery routes and their dated exceptions through the REST API (docs/DESIGN.md
section 10): thin doors onto fulfillment.routes, which every door writes the calendar
through. Staff read and write every route; a partner's user reads the routes serving
its own addresses (the calendar behind its delivery promise), and another route is a
404 to it, as anything of another partner's is."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import path_date
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import created_location, error_responses
from config.callers import caller_partner
from config.errors import UnprocessableError
from fulfillment.api import calendar_serializers as serializers
from fulfillment.routes import ROUTE_CODE_PATTERN, remove_date_exception, set_date_exception, upsert_route
from fulfillment.selectors import get_route, routes_visible_to
from inventory.selectors import find_warehouse

FORBIDDEN = "permission_denied: staff without the permission this call needs, naming it (partners: writes)."
ROUTE_NOT_FOUND = "route_not_found: no route with that code (for a partner's token: none serving its addresses)."
# AMS-NL of the demo world (devdata/demo_tables.py ROUTES): the PUT example sends it as
# a fresh demo world has it, so it succeeds there and changes nothing.
DEMO_ROUTE = {
    "name": "Aalsmeer to the Netherlands",
    "warehouse": "AMS",
    "delivery_weekdays": [1, 2, 3, 4, 5, 6],
    "order_by_time": "14:00",
    "lead_days": 1,
}
HOLIDAY = {"date": "2027-04-27", "delivers": False, "order_by_time": None, "note": "King's Day"}
ROUTE_EXAMPLE = {"code": "AMS-NL", **DEMO_ROUTE, "timezone": "Europe/Amsterdam", "exceptions": [HOLIDAY]}
ROUTE_CODE = OpenApiParameter(
    "code",
    {"type": "string", "pattern": ROUTE_CODE_PATTERN},
    OpenApiParameter.PATH,
    description="The route's code: 1 to 20 printable ASCII characters, no spaces.",
    examples=[OpenApiExample("code in the demo world", value="AMS-NL")],
)
# A date far enough ahead that the example never meets its own past.
EXCEPTION_DATE = OpenApiParameter(
    "date",
    {"type": "string", "format": "date"},
    OpenApiParameter.PATH,
    description="The date, YYYY-MM-DD; anything else is 404 invalid_date.",
    examples=[OpenApiExample("date of a holiday", value="2036-04-28")],
)
DATE_NOT_FOUND = f"{ROUTE_NOT_FOUND} invalid_date: the path's date is not a date (YYYY-MM-DD), naming it."


def route_answer(code: str, *, now) -> dict:
    """The route as every route operation answers it, read afresh."""
    return serializers.RouteOutput(get_route(code=code, now=now), context={"now": now}).data


class RouteListApi(APIView):
    permission_classes = [
        staff_may(GET=["fulfillment.view_route", "fulfillment.view_routeexception"], partners_may=("GET",))
    ]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Delivery routes, with their exceptions from today on",
        description="Staff see every route; a partner's token the routes serving its addresses.",
        responses={200: serializers.RouteOutput(many=True), **error_responses(_403=FORBIDDEN)},
        examples=[OpenApiExample("A route", value=ROUTE_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        now = timezone.now()
        routes = routes_visible_to(partner=caller_partner(request.user), now=now)
        return paginated_response(
            self, request, routes, lambda page: serializers.RouteOutput(page, many=True, context={"now": now}).data
        )


class RouteApi(APIView):
    # A PUT creates or changes: it needs both rights.
    permission_classes = [
        staff_may(
            GET=["fulfillment.view_route", "fulfillment.view_routeexception"],
            PUT=["fulfillment.add_route", "fulfillment.change_route"],
            partners_may=("GET",),
        )
    ]

    @extend_schema(
        summary="A delivery route, with its exceptions from today on",
        parameters=[ROUTE_CODE],
        responses={200: serializers.RouteOutput, **error_responses(_403=FORBIDDEN, _404=ROUTE_NOT_FOUND)},
        examples=[OpenApiExample("A route", value=ROUTE_EXAMPLE, response_only=True)],
    )
    def get(self, request, code: str):
        now = timezone.now()
        route = get_route(code=code, now=now, partner=caller_partner(request.user))
        return Response(serializers.RouteOutput(route, context={"now": now}).data)

    @extend_schema(
        summary="Create or change a delivery route (staff)",
        description="The code is the path's. Orders already accepted keep their date and order-by moment; the "
        "next promise and the next order use the new week at once.",
        parameters=[ROUTE_CODE, created_location("The new route's URL.")],
        request=serializers.RouteInput,
        responses={
            200: OpenApiResponse(serializers.RouteOutput, description="Changed."),
            201: OpenApiResponse(serializers.RouteOutput, description="Created."),
            **error_responses(
                _400="The request breaks this schema (`errors` names each field): invalid, unknown_field; "
                "invalid_calendar with invalid_route_code (the path's code breaks its pattern).",
                _403=FORBIDDEN,
                _422="unknown_warehouse: `warehouse` names no warehouse, naming it. Nothing is written.",
            ),
        },
        examples=[
            OpenApiExample("AMS-NL, as the demo world has it", request_only=True, value=DEMO_ROUTE),
            OpenApiExample("A route", value=ROUTE_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request, code: str):
        body = serializers.RouteInput(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        warehouse = find_warehouse(code=fields["warehouse"])
        if warehouse is None:
            detail = f"warehouse {fields['warehouse']!r} is not a warehouse's code."
            problem = {"field": "warehouse", "code": "unknown_warehouse", "detail": detail}
            raise UnprocessableError(detail, code="unknown_warehouse", errors=[problem])
        route, created = upsert_route(code=code, **{**fields, "warehouse": warehouse})
        answer = route_answer(route.code, now=timezone.now())
        if created:
            return Response(answer, status=201, headers={"Location": reverse("api-route", args=[route.code])})
        return Response(answer)


class RouteExceptionApi(APIView):
    permission_classes = [
        staff_may(
            PUT=["fulfillment.add_routeexception", "fulfillment.change_routeexception"],
            DELETE=["fulfillment.delete_routeexception"],
        )
    ]

    @extend_schema(
        summary="Set one date's exception on a route (staff)",
        description="`delivers: false` is a holiday; `true` a delivery that date even where the route's week "
        "skips it, with its own `order_by_time` or the route's. Orders already accepted for the date keep it; the "
        "next order for a holiday is refused with 422 delivery_date_unavailable.",
        parameters=[ROUTE_CODE, EXCEPTION_DATE, created_location("The exception's URL.")],
        request=serializers.RouteExceptionInput,
        responses={
            200: OpenApiResponse(serializers.RouteDateExceptionOutput, description="Changed."),
            201: OpenApiResponse(serializers.RouteDateExceptionOutput, description="Created."),
            **error_responses(_403=FORBIDDEN, _404=DATE_NOT_FOUND),
        },
        examples=[
            OpenApiExample("A holiday", request_only=True, value={"delivers": False, "note": "King's Day (observed)"}),
            OpenApiExample(
                "An extra delivery day",
                request_only=True,
                value={"delivers": True, "order_by_time": "10:00", "note": "Valentine's Saturday"},
            ),
            OpenApiExample(
                "A holiday",
                response_only=True,
                value={"route": "AMS-NL", **HOLIDAY, "date": "2036-04-28", "note": "King's Day (observed)"},
            ),
        ],
    )
    def put(self, request, code: str, date: str):
        route, day = get_route(code=code, now=timezone.now()), path_date("date", date)
        body = serializers.RouteExceptionInput(data=request.data)
        body.is_valid(raise_exception=True)
        exception, created = set_date_exception(route=route, day=day, **body.validated_data)
        answer = serializers.RouteDateExceptionOutput(exception).data
        if created:
            location = reverse("api-route-exception", args=[route.code, day.isoformat()])
            return Response(answer, status=201, headers={"Location": location})
        return Response(answer)

    @extend_schema(
        summary="Give a date back to the route's week (staff)",
        description="Idempotent: 204 whether or not the date had an exception, so a retry after a lost answer "
        "succeeds too.",
        parameters=[ROUTE_CODE, EXCEPTION_DATE],
        responses={
            204: OpenApiResponse(description="The date follows the route's week."),
            **error_responses(_403=FORBIDDEN, _404=DATE_NOT_FOUND),
        },
    )
    def delete(self, request, code: str, date: str):
        route, day = get_route(code=code, now=timezone.now()), path_date("date", date)
        remove_date_exception(route=route, day=day)
        return Response(status=204)
