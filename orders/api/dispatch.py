"""Dispatch confirmation through the REST API, for the warehouse systems. It lives
with the orders' doors because confirming the last shipment moves the order to
SHIPPED (orders.dispatch); the shipment list is fulfillment.api."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.schema import ErrorOutput, error_responses
from fulfillment.api import serializers
from fulfillment.selectors import get_shipment
from orders.dispatch import confirm_dispatch

ERRORS = error_responses(_403="permission_denied: staff with fulfillment.change_shipment only.")


class ShipmentDispatchApi(APIView):
    permission_classes = [staff_may(POST=["fulfillment.change_shipment"])]

    @extend_schema(
        summary="Confirm a shipment's dispatch (staff)",
        description=(
            "Marks the shipment dispatched, turns its reservations into stock decrements, and ships the "
            "order once all its "
            "shipments are out. A repeat answers the shipment unchanged (the first tracking number stays)."
        ),
        # No request example: a fresh demo world has no shipment to dispatch, and an
        # example must succeed there.
        parameters=[
            OpenApiParameter(
                "shipment_id", int, OpenApiParameter.PATH, description="The shipment's id, as GET /shipments/ lists it."
            )
        ],
        request=serializers.DispatchInput,
        responses={
            200: serializers.ShipmentOutput,
            **ERRORS,
            404: OpenApiResponse(ErrorOutput, description="shipment_not_found."),
            409: OpenApiResponse(
                ErrorOutput, description="not_dispatchable: the shipment's order is not CONFIRMED (yet, or any more)."
            ),
        },
    )
    def post(self, request, shipment_id: int):
        body = serializers.DispatchInput(data=request.data)
        body.is_valid(raise_exception=True)
        confirm_dispatch(
            shipment_id=shipment_id, tracking_number=body.validated_data["tracking_number"], actor=request.user.username
        )
        return Response(serializers.ShipmentOutput(get_shipment(shipment_id=shipment_id)).data)
