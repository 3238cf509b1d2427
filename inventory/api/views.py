"""The catalogue and stock levels through the REST API: thin doors onto the inventory
selectors, the product upsert and the version-checked stock write."""


from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import IsPartnerOrStaff, IsStaff, StaffWritesOnly, caller_partner
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import error_responses
from inventory.api import serializers as s
from inventory.catalogue import upsert_product
from inventory.selectors import catalogue, get_product, get_stock, get_warehouse, stock_levels
from inventory.stock import set_on_hand
from partners.pricing import catalogue_prices

ERRORS = error_responses()
NOT_FOUND = {404: OpenApiResponse(s.ErrorOutput, description="product_not_found or warehouse_not_found, naming the SKU or code.")}
INVALID_PAGE = {404: OpenApiResponse(s.ErrorOutput, description="Invalid page.")}
PRODUCT_EXAMPLE = {
    "sku": "ROS-RED-50", "name": "Red rose 50 cm", "category": "roses", "unit": "stem", "case_pack": 50,
    "min_order_qty": 100, "list_price": "0.40", "price": "0.36", "price_breaks": [{"min_quantity": 1, "unit_price": "0.36"}, {"min_quantity": 500, "unit_price": "0.32"}],
    "available": 1200,
}
STOCK_EXAMPLE = {"sku": "ROS-RED-50", "warehouse": "AMS", "on_hand": 1500, "reserved": 300, "available": 1200, "version": 7, "updated_at": "2027-02-10T06:30:00Z"}


def product_output(products, *, user, many: bool = False) -> dict | list:
    partner = caller_partner(user)
    page = list(products) if many else [products]
    context = {"staff": partner is None, "pricing": catalogue_prices(products=page, partner=partner)}
    return s.ProductOutput(products, many=many, context=context).data


class ProductListApi(APIView):
    permission_classes = [IsPartnerOrStaff]
    pagination_class = StandardPagination

    @extend_schema(
        summary="The catalogue at the caller's prices, with availability",
        description="Partner tokens see active products at their own prices; staff tokens see every product at list price, with `active`.",
        parameters=[s.ProductFilterInput],
        responses={200: s.ProductOutput(many=True), **ERRORS, **INVALID_PAGE},
        examples=[OpenApiExample("A product", value=PRODUCT_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        partner = caller_partner(request.user)
        filters = parse_filters(s.ProductFilterInput, request)
        products = catalogue(include_inactive=partner is None, **filters)
        return paginated_response(self, request, products, lambda page: product_output(page, user=request.user, many=True))


class ProductApi(APIView):
    permission_classes = [StaffWritesOnly]

    @extend_schema(
        summary="One product at the caller's prices",
        responses={200: s.ProductOutput, **ERRORS, **NOT_FOUND},
        examples=[OpenApiExample("A product", value=PRODUCT_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku: str):
        product = get_product(sku=sku, include_inactive=caller_partner(request.user) is None)
        return Response(product_output(product, user=request.user))

    @extend_schema(
        summary="Create or update a product (staff)",
        description="The SKU is the path's. Absent `unit` or `category` keep the product's own (a new product: \"stem\", none).",
        request=s.ProductUpsertInput,
        responses={200: OpenApiResponse(s.ProductOutput, description="Updated."), 201: OpenApiResponse(s.ProductOutput, description="Created."), **ERRORS},
        examples=[OpenApiExample("Product", request_only=True, value={
            "name": "Red rose 50 cm", "unit": "stem", "category": "roses", "case_pack": 50, "min_order_qty": 100, "list_price": "0.40", "active": True,
        })],
    )
    def put(self, request, sku: str):
        body = s.ProductUpsertInput(data=request.data)
        body.is_valid(raise_exception=True)
        product, created = upsert_product(sku=sku, actor=request.user.username, **body.validated_data)
        answer = product_output(get_product(sku=product.sku, include_inactive=True), user=request.user)
        if created:
            return Response(answer, status=201, headers={"Location": reverse("api-product", args=[product.sku])})
        return Response(answer)


class StockListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Stock levels per product and warehouse (staff)",
        parameters=[s.StockFilterInput],
        responses={200: s.StockOutput(many=True), **ERRORS, **INVALID_PAGE},
        examples=[OpenApiExample("A stock row", value=STOCK_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        filters = parse_filters(s.StockFilterInput, request)
        rows = stock_levels(product=filters.get("sku"), warehouse=filters.get("warehouse"))
        return paginated_response(self, request, rows, lambda page: s.StockOutput(page, many=True).data)


class StockApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="One stock row (staff)",
        responses={200: s.StockOutput, **ERRORS, 404: OpenApiResponse(s.ErrorOutput, description="product_not_found, warehouse_not_found, or stock_not_found (never stocked: PUT it with version 0).")},
        examples=[OpenApiExample("A stock row", value=STOCK_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku: str, warehouse: str):
        row = get_stock(product=get_product(sku=sku, include_inactive=True), warehouse=get_warehouse(code=warehouse))
        return Response(s.StockOutput(row).data)

    @extend_schema(
        summary="Set on-hand stock, carrying the version you read (staff)",
        description=(
            "Sets `on_hand` (never `reserved`, which is the platform's). Send the `version` you read, or 0 to create a row "
            "that does not exist yet. Every change writes a ledger row."
        ),
        request=s.StockSetInput,
        responses={
            200: OpenApiResponse(s.StockOutput, description="Set."),
            201: OpenApiResponse(s.StockOutput, description="Created from version 0."),
            **ERRORS, **NOT_FOUND,
            400: OpenApiResponse(s.ErrorOutput, description="Bad input, or on_hand_below_reserved: it would erase reservations."),
            409: OpenApiResponse(s.VersionConflictOutput, description="version_conflict: someone wrote first; read again (current_version)."),
        },
        examples=[OpenApiExample("Stock", request_only=True, value={"on_hand": 1500, "version": 7})],
    )
    def put(self, request, sku: str, warehouse: str):
        body = s.StockSetInput(data=request.data)
        body.is_valid(raise_exception=True)
        product, place = get_product(sku=sku, include_inactive=True), get_warehouse(code=warehouse)
        set_on_hand(product=product, warehouse=place, on_hand=body.validated_data["on_hand"],
                    expected_version=body.validated_data["version"], actor=request.user.username, note="ERP API")
        row = get_stock(product=product, warehouse=place)
        return Response(s.StockOutput(row).data, status=201 if body.validated_data["version"] == 0 else 200)
