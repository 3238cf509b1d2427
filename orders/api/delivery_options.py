"""The delivery promise through the REST API (docs/DESIGN.md section 10): the dates one
address can still get, each with its order-by moment, and the others with why. A thin
door onto orders.delivery, which reads the calendar from intake's per-process cache,
so the dates listed here are the dates intake accepts."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import whole_number_param
from config.api.schema import error_responses
from config.callers import caller_partner
from config.errors import UnprocessableError
from fulfillment.promise import DEFAULT_DAYS, MAX_DAYS, DeliveryPromise
from fulfillment.selectors import get_ship_to
from orders.api import serializers
from orders.delivery import default_address_id, delivery_promise_for, no_route_problem

# Ids are bigints; a larger one names nothing and is refused as out of bounds (400).
MAX_ID = 2**63 - 1
PARAMETERS = [
    OpenApiParameter(
        "ship_to",
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        description="One of the caller's address ids (GET /api/v1/ship-tos/); absent: its default address. "
        "Staff must name one (any partner's).",
        examples=[OpenApiExample("BLOOM's shop in a fresh demo world", value=1)],
    ),
    OpenApiParameter(
        "days",
        {"type": "integer", "minimum": 1, "maximum": MAX_DAYS, "default": DEFAULT_DAYS},
        description=f"How many dates from the warehouse's today to judge, 1 to {MAX_DAYS}.",
    ),
]
# What AMS-NL (Mon-Sat, order by 14:00 the day before) promises on Thursday 11 February
# 2027 at 15:00 in Amsterdam: Friday's order-by moment has passed.
EXAMPLE = {
    "ship_to": 1,
    "route": "AMS-NL",
    "timezone": "Europe/Amsterdam",
    "options": [
        {"date": "2027-02-13", "order_by": "2027-02-12T14:00:00+01:00"},
        {"date": "2027-02-15", "order_by": "2027-02-14T14:00:00+01:00"},
    ],
    "excluded": [
        {"date": "2027-02-11", "reason": "cutoff_passed"},
        {"date": "2027-02-12", "reason": "cutoff_passed"},
        {"date": "2027-02-14", "reason": "no_delivery_day"},
    ],
}


def ship_to_required() -> UnprocessableError:
    detail = "Staff tokens must name the address: add ?ship_to=<id> (GET /api/v1/ship-tos/ lists them)."
    problem = {"field": "ship_to", "code": "ship_to_required", "detail": "ship_to is required for staff tokens."}
    return UnprocessableError(detail, code="ship_to_required", errors=[problem])


def promise_answer(promise: DeliveryPromise, ship_to: int | None) -> dict:
    """The promise as the API answers it: dates as YYYY-MM-DD, order-by moments as
    ISO 8601 text with the warehouse's offset (rendered here, so that the API's UTC
    rendering, config/api/utc.py, does not move them to Z)."""
    return {
        "ship_to": ship_to,
        "route": promise.route.code,
        "timezone": promise.route.zone.key,
        "options": [
            {"date": option.date.isoformat(), "order_by": option.order_by.isoformat()} for option in promise.options
        ],
        "excluded": [{"date": gone.date.isoformat(), "reason": gone.reason} for gone in promise.excluded],
    }


class DeliveryOptionsApi(APIView):
    permission_classes = [
        staff_may(GET=["fulfillment.view_route", "partners.view_shiptoaddress"], partners_may=("GET",))
    ]

    @extend_schema(
        summary="The delivery dates an address can still get, each with its order-by moment",
        description="The same promise intake keeps: an order for a listed date before its `order_by` is accepted "
        "for that date; any other date is refused with 422 delivery_date_unavailable and `next_available`.",
        parameters=PARAMETERS,
        responses={
            200: serializers.DeliveryOptionsOutput,
            **error_responses(
                _400="invalid_filter: ship_to or days is not a whole number within its bounds, naming it.",
                _403="permission_denied: staff without the permission this call needs, naming it.",
                _404="ship_to_not_found: no address with that id (for a partner's token: none of its own).",
                _422="ship_to_required: a staff token names no address. no_delivery_route: no route serves the "
                "address yet (the back office assigns one).",
            ),
        },
        examples=[OpenApiExample("BLOOM's shop", value=EXAMPLE, response_only=True)],
    )
    def get(self, request):
        partner = caller_partner(request.user)
        days = whole_number_param(request, "days", default=DEFAULT_DAYS, minimum=1, maximum=MAX_DAYS)
        ship_to = None
        if request.query_params.get("ship_to") is not None:
            ship_to = whole_number_param(request, "ship_to", default=0, minimum=1, maximum=MAX_ID)
        if ship_to is None and partner is None:
            raise ship_to_required()
        if ship_to is not None:
            address = get_ship_to(ship_to_id=ship_to, partner=partner)
            partner = address.partner
        else:
            ship_to = default_address_id(partner=partner)
        promise = delivery_promise_for(partner=partner, address_id=ship_to, now=timezone.now(), days=days)
        if promise is None:
            problem = no_route_problem(partner, ship_to)
            raise UnprocessableError(problem["detail"], code=problem["code"], errors=[problem])
        return Response(promise_answer(promise, ship_to))
