"""Shipments through the REST API, for the warehouse systems: what to pick. Thin doors
onto the shipment selectors; confirming a dispatch moves an order, so that door is
orders.api.dispatch."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import error_responses
from fulfillment.api import serializers
from fulfillment.selectors import list_shipments
from inventory.api.serializers import resolve_filter_codes

ERRORS = error_responses(
    _403="permission_denied: staff with fulfillment.view_shipment only.",
    _422="unknown_warehouse: the `warehouse` filter names no warehouse (a typo is named, not answered with an "
    "empty page).",
)
# An order of the demo world's RO-NAOMI-50 shipped from AMS.
SHIPMENT_EXAMPLE = {
    "id": 4711,
    "order": "BQ-00001042",
    "warehouse": "AMS",
    "status": "dispatched",
    "tracking_number": "3SBQ0001042",
    "dispatched_at": "2027-02-12T05:10:00Z",
    "created_at": "2027-02-11T18:02:00Z",
    "lines": [{"sku": "RO-NAOMI-50", "lot": "A2711-12", "quantity": 100}],
}


class ShipmentListApi(APIView):
    permission_classes = [staff_may(GET=["fulfillment.view_shipment"])]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Shipments to pick and dispatch (staff)",
        parameters=[serializers.ShipmentFilterInput],
        responses={
            200: serializers.ShipmentOutput(many=True),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "A shipment",
                value={**SHIPMENT_EXAMPLE, "status": "pending", "tracking_number": "", "dispatched_at": None},
                response_only=True,
            )
        ],
    )
    def get(self, request):
        filters = resolve_filter_codes(parse_filters(serializers.ShipmentFilterInput, request))
        shipments = list_shipments(warehouse=filters.get("warehouse"), status=filters.get("status"))
        return paginated_response(
            self, request, shipments, lambda page: serializers.ShipmentOutput(page, many=True).data
        )
