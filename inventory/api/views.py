"""Stock levels through the REST API: thin doors onto the inventory selectors and the
version-checked stock write. The catalogue's doors (products at the caller's prices)
are partners.api.catalogue, since they need the price list."""

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import created_location, error_responses, path_parameter
from inventory.api import serializers
from inventory.selectors import get_product, get_stock, get_warehouse, stock_levels
from inventory.stock_sync import set_on_hand

ERRORS = error_responses()
NOT_FOUND = error_responses(_404="product_not_found or warehouse_not_found, naming the SKU or code.")
# The demo world's RO-NAOMI-50 at AMS (devdata/demo_tables.py), as a fresh demo opens
# it: version 1, 1600 on hand. The PUT example sends exactly that, so it succeeds
# there and changes nothing.
STOCK_EXAMPLE = {
    "sku": "RO-NAOMI-50",
    "warehouse": "AMS",
    "on_hand": 1600,
    "reserved": 300,
    "available": 1300,
    "version": 1,
    "updated_at": "2027-02-10T06:30:00Z",
}
STOCK_ROW_PATH = [
    path_parameter("sku", "The product's SKU.", "RO-NAOMI-50"),
    path_parameter("warehouse", "The warehouse's code.", "AMS"),
]
LOCATION = created_location("The new row's URL.")
STOCK_CONFLICT = PolymorphicProxySerializer(
    component_name="StockConflictOutput",
    serializers=[serializers.VersionConflictOutput, serializers.BelowReservedOutput],
    resource_type_field_name=None,
)


class StockListApi(APIView):
    permission_classes = [staff_may(GET=["inventory.view_stock"])]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Stock levels per product and warehouse (staff)",
        parameters=[serializers.StockFilterInput],
        responses={200: serializers.StockOutput(many=True), **error_responses(_422=serializers.UNKNOWN_FILTER_CODES)},
        examples=[OpenApiExample("A stock row", value=STOCK_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        filters = serializers.resolve_filter_codes(parse_filters(serializers.StockFilterInput, request))
        rows = stock_levels(product=filters.get("sku"), warehouse=filters.get("warehouse"))
        return paginated_response(self, request, rows, lambda page: serializers.StockOutput(page, many=True).data)


class StockApi(APIView):
    # A PUT with version 0 creates the row: it needs both rights.
    permission_classes = [
        staff_may(GET=["inventory.view_stock"], PUT=["inventory.add_stock", "inventory.change_stock"])
    ]

    @extend_schema(
        summary="One stock row (staff)",
        parameters=STOCK_ROW_PATH,
        responses={
            200: serializers.StockOutput,
            **ERRORS,
            404: OpenApiResponse(
                serializers.ErrorOutput,
                description="product_not_found, warehouse_not_found, or stock_not_found (never stocked: PUT "
                "it with version 0).",
            ),
        },
        examples=[OpenApiExample("A stock row", value=STOCK_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku: str, warehouse: str):
        row = get_stock(product=get_product(sku=sku, include_inactive=True), warehouse=get_warehouse(code=warehouse))
        return Response(serializers.StockOutput(row).data)

    @extend_schema(
        summary="Set on-hand stock, carrying the version you read (staff)",
        description=(
            "Sets `on_hand` (never `reserved`, which is the platform's). Send the `version` you read, "
            "or 0 to create a row that does not exist yet. Every change writes a ledger row."
        ),
        parameters=[*STOCK_ROW_PATH, LOCATION],
        request=serializers.StockSetInput,
        responses={
            200: OpenApiResponse(serializers.StockOutput, description="Set."),
            201: OpenApiResponse(serializers.StockOutput, description="Created from version 0."),
            **NOT_FOUND,
            409: OpenApiResponse(
                STOCK_CONFLICT,
                description="version_conflict: someone wrote first; read again (`current_version`). "
                "on_hand_below_reserved: the new figure is below what orders have reserved now (`reserved`).",
            ),
        },
        examples=[
            OpenApiExample(
                "RO-NAOMI-50 at AMS, as a fresh demo world has it",
                request_only=True,
                value={"on_hand": 1600, "version": 1},
            )
        ],
    )
    def put(self, request, sku: str, warehouse: str):
        body = serializers.StockSetInput(data=request.data)
        body.is_valid(raise_exception=True)
        product, place = get_product(sku=sku, include_inactive=True), get_warehouse(code=warehouse)
        set_on_hand(
            product=product,
            warehouse=place,
            on_hand=body.validated_data["on_hand"],
            expected_version=body.validated_data["version"],
            actor=request.user.username,
            note="ERP API",
        )
        row = get_stock(product=product, warehouse=place)
        if body.validated_data["version"] == 0:
            location = reverse("api-stock", args=[product.sku, place.code])
            return Response(serializers.StockOutput(row).data, status=201, headers={"Location": location})
        return Response(serializers.StockOutput(row).data)
