"""Stock levels through the REST API, per lot: thin doors onto the inventory selectors
and the version-checked write of a lot. The catalogue's doors (products at the
caller's prices, available for a delivery date) are orders.api.catalogue, since they
need the price list and the delivery promise."""

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
from config.errors import NotFoundError
from inventory.api import serializers
from inventory.models import NO_LOT
from inventory.selectors import get_product, get_stock, get_warehouse, stock_levels
from inventory.stock_sync import UNCHANGED, lot_code_problem, set_on_hand

ERRORS = error_responses()
NOT_FOUND = error_responses(_404="product_not_found or warehouse_not_found, naming the SKU or code.")
# The demo world's red ribbon at AMS (devdata/demo_tables.py), stock without a lot
# (sundries do not perish), as a fresh demo opens it: version 1, 45 on hand. The PUT
# example sends exactly that, so it succeeds there and changes nothing.
STOCK_EXAMPLE = {
    "sku": "SU-RIBBON-RED",
    "warehouse": "AMS",
    "lot": "",
    "available_from": None,
    "expires_on": None,
    "on_hand": 45,
    "reserved": 0,
    "available": 45,
    "version": 1,
    "updated_at": "2027-02-10T06:30:00Z",
}
STOCK_ROW_PATH = [
    path_parameter("sku", "The product's SKU.", "SU-RIBBON-RED"),
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
        summary="Stock levels per product, warehouse and lot (staff)",
        parameters=[serializers.StockFilterInput],
        responses={200: serializers.StockOutput(many=True), **error_responses(_422=serializers.UNKNOWN_FILTER_CODES)},
        examples=[OpenApiExample("A stock row", value=STOCK_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        filters = serializers.resolve_filter_codes(parse_filters(serializers.StockFilterInput, request))
        rows = stock_levels(
            product=filters.get("sku"),
            warehouse=filters.get("warehouse"),
            lot=filters.get("lot"),
            expires_before=filters.get("expires_before"),
        )
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
                "SU-RIBBON-RED at AMS, as a fresh demo world has it",
                request_only=True,
                value={"on_hand": 45, "version": 1},
            )
        ],
    )
    def put(self, request, sku: str, warehouse: str):
        body = serializers.StockSetInput(data=request.data)
        body.is_valid(raise_exception=True)
        return set_stock(request, body.validated_data, sku=sku, warehouse=warehouse, lot=NO_LOT)


def set_stock(request, values: dict, *, sku: str, warehouse: str, lot: str) -> Response:
    """Write one lot through the version-checked service and answer it: 201 with its
    Location when version 0 created it, else 200."""
    product, place = get_product(sku=sku, include_inactive=True), get_warehouse(code=warehouse)
    set_on_hand(
        product=product,
        warehouse=place,
        lot=lot,
        on_hand=values["on_hand"],
        expected_version=values["version"],
        available_from=values.get("available_from", UNCHANGED),
        expires_on=values.get("expires_on", UNCHANGED),
        actor=request.user.username,
        note="ERP API",
    )
    row = get_stock(product=product, warehouse=place, lot=lot)
    if values["version"] == 0:
        args = [product.sku, place.code, lot] if lot else [product.sku, place.code]
        location = reverse("api-stock-lot" if lot else "api-stock", args=args)
        return Response(serializers.StockOutput(row).data, status=201, headers={"Location": location})
    return Response(serializers.StockOutput(row).data)


# A lot of RO-NAOMI-50 at AMS that a fresh demo world does not hold: the PUT example
# creates it with version 0, so it succeeds there (and a GET of it is a 404 until then).
LOT_EXAMPLE_CODE = "FH-20270212-07"
STOCK_LOT_EXAMPLE = {
    **STOCK_EXAMPLE,
    "sku": "RO-NAOMI-50",
    "lot": LOT_EXAMPLE_CODE,
    "available_from": "2027-02-12",
    "expires_on": "2027-02-22",
    "on_hand": 800,
    "reserved": 0,
    "available": 800,
}
STOCK_LOT_PATH = [
    path_parameter("sku", "The product's SKU.", "RO-NAOMI-50"),
    STOCK_ROW_PATH[1],
    path_parameter(
        "lot",
        'The lot code: 1 to 40 printable ASCII characters without spaces or "/" (anything else is 404 '
        "invalid_lot). "
        "The stock without a lot code is the path without /lots/.",
        LOT_EXAMPLE_CODE,
    ),
]
LOT_NOT_FOUND = (
    "product_not_found, warehouse_not_found, or invalid_lot (the lot code in the path cannot be one), naming it"
)
STOCK_LOT_CONFLICT = PolymorphicProxySerializer(
    component_name="StockLotConflictOutput",
    serializers=[serializers.VersionConflictOutput, serializers.BelowReservedOutput, serializers.LotInUseOutput],
    resource_type_field_name=None,
)


def lot_from_path(lot: str) -> str:
    """The path's lot code; a code no lot can have names nothing: 404 `invalid_lot`."""
    problem = lot_code_problem(lot)
    if problem or lot == NO_LOT:
        detail = problem or 'lot must be 1 to 40 printable ASCII characters without spaces or "/".'
        raise NotFoundError(
            detail, code="invalid_lot", errors=[{"field": "lot", "code": "invalid_lot", "detail": detail}]
        )
    return lot


class StockLotApi(APIView):
    """One lot of a product in a warehouse (docs/DESIGN.md section 11)."""

    permission_classes = StockApi.permission_classes

    @extend_schema(
        summary="One lot (staff)",
        parameters=STOCK_LOT_PATH,
        responses={
            200: serializers.StockOutput,
            **ERRORS,
            404: OpenApiResponse(
                serializers.ErrorOutput,
                description=f"{LOT_NOT_FOUND}; or stock_not_found (no such lot: PUT it with version 0).",
            ),
        },
        examples=[OpenApiExample("A dated lot", value=STOCK_LOT_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku: str, warehouse: str, lot: str):
        lot = lot_from_path(lot)
        row = get_stock(
            product=get_product(sku=sku, include_inactive=True), warehouse=get_warehouse(code=warehouse), lot=lot
        )
        return Response(serializers.StockOutput(row).data)

    @extend_schema(
        summary="Set a lot's on-hand stock and dates, carrying the version you read (staff)",
        description=(
            "Sets `on_hand` (never `reserved`, which is the platform's) and the lot's dates. Send the `version` you "
            "read, or 0 to create a lot that does not exist yet. For a lot that exists, a date left out keeps the "
            "lot's date and null clears it. Dates that would leave an order's reservation on the lot unfit for "
            "its delivery date are refused. Every change writes a ledger row."
        ),
        parameters=[*STOCK_LOT_PATH, LOCATION],
        request=serializers.StockLotSetInput,
        responses={
            200: OpenApiResponse(serializers.StockOutput, description="Set."),
            201: OpenApiResponse(serializers.StockOutput, description="Created from version 0."),
            **error_responses(
                _404=f"{LOT_NOT_FOUND}.",
                _422="invalid_lot_dates: expires_on before available_from; `errors` names the field.",
            ),
            409: OpenApiResponse(
                STOCK_LOT_CONFLICT,
                description="version_conflict: someone wrote first; read again (`current_version`). "
                "on_hand_below_reserved: the new figure is below what orders have reserved now (`reserved`). "
                "lot_in_use: the new dates would leave reservations on the lot unfit for their delivery dates "
                "(`unfit_reservations`); move or cancel those orders first.",
            ),
        },
        examples=[
            OpenApiExample(
                "Friday's auction buy of RO-NAOMI-50 at AMS, new to a fresh demo world",
                request_only=True,
                value={"on_hand": 800, "version": 0, "available_from": "2027-02-12", "expires_on": "2027-02-22"},
            )
        ],
    )
    def put(self, request, sku: str, warehouse: str, lot: str):
        lot = lot_from_path(lot)
        body = serializers.StockLotSetInput(data=request.data)
        body.is_valid(raise_exception=True)
        return set_stock(request, body.validated_data, sku=sku, warehouse=warehouse, lot=lot)
