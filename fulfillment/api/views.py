"""Shipments through the REST API, for the warehouse systems: list what to pick and
confirm dispatch. Thin doors onto the shipment selectors and confirm_dispatch."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import IsStaff
from config.api.schema import ErrorOutput, error_responses
from config.api.pagination import StandardPagination, paginated_response
from fulfillment.api import serializers as s
from fulfillment.selectors import get_shipment, list_shipments
from config.api.inputs import parse_filters
from orders.services.operations import confirm_dispatch

ERRORS = error_responses(_403="Staff and integration tokens only.")
SHIPMENT_EXAMPLE = {
    "id": 4711, "order": "BQ-00001042", "warehouse": "AMS", "status": "dispatched", "tracking_number": "3SBQ0001042",
    "dispatched_at": "2027-02-12T05:10:00Z", "created_at": "2027-02-11T18:02:00Z", "lines": [{"sku": "ROS-RED-50", "quantity": 100}],
}


class ShipmentListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Shipments to pick and dispatch (staff)",
        parameters=[s.ShipmentFilterInput],
        responses={200: s.ShipmentOutput(many=True), **ERRORS, 404: OpenApiResponse(ErrorOutput, description="Invalid page.")},
        examples=[OpenApiExample("A shipment", value={**SHIPMENT_EXAMPLE, "status": "pending", "tracking_number": "", "dispatched_at": None}, response_only=True)],
    )
    def get(self, request):
        filters = parse_filters(s.ShipmentFilterInput, request)
        shipments = list_shipments(warehouse=filters.get("warehouse"), status=filters.get("status"))
        return paginated_response(self, request, shipments, lambda page: s.ShipmentOutput(page, many=True).data)


class ShipmentDispatchApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Confirm a shipment's dispatch (staff)",
        description=(
            "Marks the shipment dispatched, turns its reservations into stock decrements, and ships the order once all its "
            "shipments are out. A repeat answers the shipment unchanged (the first tracking number stays)."
        ),
        request=s.DispatchInput,
        responses={
            200: s.ShipmentOutput, **ERRORS,
            400: OpenApiResponse(ErrorOutput, description="Bad input, or not_dispatchable: the order is not CONFIRMED."),
            404: OpenApiResponse(ErrorOutput, description="shipment_not_found."),
        },
        examples=[OpenApiExample("Dispatch", request_only=True, value={"tracking_number": "3SBQ0001042"})],
    )
    def post(self, request, shipment_id: int):
        body = s.DispatchInput(data=request.data)
        body.is_valid(raise_exception=True)
        confirm_dispatch(shipment_id=shipment_id, tracking_number=body.validated_data["tracking_number"], actor=request.user.username)
        return Response(s.ShipmentOutput(get_shipment(shipment_id=shipment_id)).data)
