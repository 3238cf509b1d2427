"""Ship-to addresses and the route serving each, through the REST API: a partner's user
reads its own, staff read all and move an address to another route (through
fulfillment.routes.assign_route, as the back office does)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import error_responses
from config.callers import caller_partner
from config.errors import UnprocessableError
from fulfillment.api import calendar_serializers as serializers
from fulfillment.routes import assign_route
from fulfillment.selectors import find_route_for_body, get_ship_to, ship_tos_visible_to
from partners.models import Partner

FORBIDDEN = "permission_denied: staff without the permission this call needs, naming it (partners: writes)."
# BLOOM's shop in the demo world (devdata/demo_tables.py): the first address a fresh
# demo world makes, so its id is 1 there (tests/support/demo_api.py builds it so).
DEMO_SHIP_TO_ID = 1
SHIP_TO_EXAMPLE = {
    "id": DEMO_SHIP_TO_ID,
    "partner": "BLOOM",
    "label": "Shop",
    "line1": "Prinsengracht 112",
    "line2": "",
    "postcode": "1015 EA",
    "city": "Amsterdam",
    "country": "NL",
    "is_default": True,
    "route": "AMS-NL",
}
SHIP_TO_ID = OpenApiParameter(
    "id",
    int,
    OpenApiParameter.PATH,
    description="The address's id, as GET /api/v1/ship-tos/ lists it.",
    examples=[OpenApiExample("BLOOM's shop in a fresh demo world", value=DEMO_SHIP_TO_ID)],
)


def partner_filter(caller: Partner | None, code: str | None) -> Partner | None:
    """The partner the `partner` filter names, among those the caller sees (a partner's
    token: itself only); raise UnprocessableError (unknown_partner) naming the code."""
    if code is None:
        return None
    found = Partner.objects.filter(code=code).first() if caller is None else (caller if caller.code == code else None)
    if found is None:
        detail = f"partner {code!r} is not a partner's code you can see."
        raise UnprocessableError(
            detail, code="unknown_partner", errors=[{"field": "partner", "code": "unknown_partner", "detail": detail}]
        )
    return found


class ShipToListApi(APIView):
    permission_classes = [staff_may(GET=["partners.view_shiptoaddress"], partners_may=("GET",))]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Ship-to addresses, each with the route serving it",
        description="A partner's token sees its own addresses, the default first; staff see every partner's.",
        parameters=[serializers.ShipToFilterInput],
        responses={
            200: serializers.ShipToAddressOutput(many=True),
            **error_responses(
                _400="invalid_filter: partner, page or page_size is not what this schema says, naming it.",
                _403=FORBIDDEN,
                _422="unknown_partner: the `partner` filter names no partner the token can see (a typo is named, "
                "not answered with an empty page).",
            ),
        },
        examples=[OpenApiExample("An address", value=SHIP_TO_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        caller = caller_partner(request.user)
        filters = parse_filters(serializers.ShipToFilterInput, request)
        addresses = ship_tos_visible_to(partner=caller, of_partner=partner_filter(caller, filters.get("partner")))
        return paginated_response(
            self, request, addresses, lambda page: serializers.ShipToAddressOutput(page, many=True).data
        )


class ShipToApi(APIView):
    permission_classes = [staff_may(PATCH=["partners.change_shiptoaddress"])]

    @extend_schema(
        summary="Serve an address from another route (staff)",
        description="Orders already accepted keep their route and date; the next promise and order for the "
        "address use the new route.",
        parameters=[SHIP_TO_ID],
        request=serializers.ShipToRouteInput,
        responses={
            200: serializers.ShipToAddressOutput,
            **error_responses(
                _403=FORBIDDEN,
                _404="ship_to_not_found: no address with that id.",
                _422="unknown_route: `route` names no route, naming it. Nothing is changed.",
            ),
        },
        examples=[
            OpenApiExample("To AMS-NL, as a fresh demo world has it", request_only=True, value={"route": "AMS-NL"}),
            OpenApiExample("An address", value=SHIP_TO_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request, id: int):
        address = get_ship_to(ship_to_id=id, partner=None)
        body = serializers.ShipToRouteInput(data=request.data)
        body.is_valid(raise_exception=True)
        assign_route(ship_to=address, route=find_route_for_body(code=body.validated_data["route"]))
        return Response(serializers.ShipToAddressOutput(get_ship_to(ship_to_id=id, partner=None)).data)
