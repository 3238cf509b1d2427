"""A partner's prices through the REST API: thin doors onto set_partner_price and
remove_partner_price, for staff and integration tokens."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import whole_number_param
from config.api.schema import ErrorOutput, error_responses, path_parameter
from config.limits import MAX_WHOLE_NUMBER
from inventory.selectors import get_product
from partners.api import serializers
from partners.pricing import remove_partner_price, set_partner_price
from partners.selectors import get_partner_by_code

ERRORS = error_responses(
    _403="permission_denied: staff with the partner price permissions only, naming the one missing.",
    _404="partner_not_found or product_not_found, naming which.",
)
# BLOOM's break from 500 stems of RO-NAOMI-50 in the demo world (14% off 0.46): the
# PUT example sets it to what a fresh demo has, so it succeeds there and changes nothing.
PRICE_EXAMPLE = {
    "partner": "BLOOM",
    "sku": "RO-NAOMI-50",
    "min_quantity": 500,
    "unit_price": "0.40",
    "updated_at": "2027-02-10T06:30:00Z",
}
PRICE_PATH = [
    path_parameter("partner_code", "The partner's code.", "BLOOM"),
    path_parameter("sku", "The product's SKU.", "RO-NAOMI-50"),
]


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
        parameters=PRICE_PATH,
        request=serializers.PartnerPriceInput,
        responses={
            200: OpenApiResponse(serializers.PartnerPriceOutput, description="Changed."),
            201: OpenApiResponse(serializers.PartnerPriceOutput, description="Created."),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "BLOOM's price for RO-NAOMI-50 from 500 stems",
                request_only=True,
                value={"unit_price": PRICE_EXAMPLE["unit_price"], "min_quantity": PRICE_EXAMPLE["min_quantity"]},
            ),
            OpenApiExample("A price", response_only=True, value=PRICE_EXAMPLE),
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
        parameters=[serializers.PartnerPriceRemoveInput, *PRICE_PATH],
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
                value={
                    "code": "price_not_found",
                    "detail": "Partner BLOOM has no price for RO-NAOMI-50 from 200 units.",
                },
            )
        ],
    )
    def delete(self, request, partner_code: str, sku: str):
        min_quantity = whole_number_param(request, "min_quantity", default=1, minimum=1, maximum=MAX_WHOLE_NUMBER)
        remove_partner_price(
            partner=get_partner_by_code(code=partner_code),
            product=get_product(sku=sku, include_inactive=True),
            min_quantity=min_quantity,
        )
        return Response(status=204)
