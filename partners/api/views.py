"""A partner's prices through the REST API: thin doors onto set_partner_price and
remove_partner_price, for staff and integration tokens."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.schema import ErrorOutput, error_responses
from inventory.selectors import get_product
from partners.api import serializers
from partners.pricing import remove_partner_price, set_partner_price
from partners.selectors import get_partner_by_code

ERRORS = error_responses(
    _403="permission_denied: staff with the partner price permissions only, naming the one missing.",
    _404="partner_not_found or product_not_found, naming which.",
)
PRICE_EXAMPLE = {
    "partner": "FERN",
    "sku": "ROS-RED-50",
    "min_quantity": 1,
    "unit_price": "0.36",
    "updated_at": "2027-02-10T06:30:00Z",
}


class PartnerPriceApi(APIView):
    permission_classes = [
        staff_may(
            PUT=["partners.add_partnerprice", "partners.change_partnerprice"],
            DELETE=["partners.delete_partnerprice"],
        )
    ]

    @extend_schema(
        summary="Set a partner's price for a product (staff)",
        description="One row per quantity break: `min_quantity` 1 is the plain price; higher ones apply "
        "from that many units per line.",
        request=serializers.PartnerPriceInput,
        responses={
            200: OpenApiResponse(serializers.PartnerPriceOutput, description="Changed."),
            201: OpenApiResponse(serializers.PartnerPriceOutput, description="Created."),
            **ERRORS,
        },
        examples=[
            OpenApiExample("Price from 500 units", request_only=True, value={"unit_price": "0.32", "min_quantity": 500})
        ],
    )
    def put(self, request, partner_code: str, sku: str):
        body = serializers.PartnerPriceInput(data=request.data)
        body.is_valid(raise_exception=True)
        price, created = set_partner_price(
            partner=get_partner_by_code(code=partner_code),
            product=get_product(sku=sku, include_inactive=True),
            **body.validated_data,
        )
        return Response(serializers.PartnerPriceOutput(price).data, status=201 if created else 200)

    @extend_schema(
        summary="Remove a partner's price break (staff)",
        description="Without any break left the partner buys the product at list price.",
        parameters=[serializers.PartnerPriceRemoveInput],
        responses={
            204: OpenApiResponse(description="Removed."),
            **ERRORS,
            404: OpenApiResponse(
                ErrorOutput, description="partner_not_found, product_not_found, or price_not_found (no such break)."
            ),
        },
        examples=[
            OpenApiExample(
                "Not found",
                status_codes=["404"],
                response_only=True,
                value={"code": "price_not_found", "detail": "Partner FERN has no price for ROS-RED-50 from 500 units."},
            )
        ],
    )
    def delete(self, request, partner_code: str, sku: str):
        query = parse_filters(serializers.PartnerPriceRemoveInput, request)
        remove_partner_price(
            partner=get_partner_by_code(code=partner_code),
            product=get_product(sku=sku, include_inactive=True),
            min_quantity=query["min_quantity"],
        )
        return Response(status=204)
