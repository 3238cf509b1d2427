"""The catalogue through the REST API: products at the caller's prices, with
availability, and the staff's product upsert. Here rather than in inventory.api because
a product's answer carries the caller's price list (partners.pricing), and inventory
knows no other app."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import error_responses
from config.callers import caller_partner
from inventory.api import serializers
from inventory.catalogue import upsert_product
from inventory.selectors import catalogue, get_product
from partners.pricing import catalogue_prices

ERRORS = error_responses()
PRODUCT_EXAMPLE = {
    "sku": "ROS-RED-50",
    "name": "Red rose 50 cm",
    "category": "roses",
    "unit": "stem",
    "case_pack": 50,
    "min_order_qty": 100,
    "list_price": "0.40",
    "price": "0.36",
    "price_breaks": [{"min_quantity": 1, "unit_price": "0.36"}, {"min_quantity": 500, "unit_price": "0.32"}],
    "available": 1200,
}


def product_output(products, *, user, many: bool = False) -> dict | list:
    partner = caller_partner(user)
    page = list(products) if many else [products]
    context = {"staff": partner is None, "pricing": catalogue_prices(products=page, partner=partner)}
    return serializers.ProductOutput(products, many=many, context=context).data


class ProductListApi(APIView):
    permission_classes = [staff_may(GET=["inventory.view_product"], partners_may=("GET",))]
    pagination_class = StandardPagination

    @extend_schema(
        summary="The catalogue at the caller's prices, with availability",
        description="Partner tokens see active products at their own prices; staff tokens see every product "
        "at list price, with `active`.",
        parameters=[serializers.ProductFilterInput],
        responses={200: serializers.ProductOutput(many=True), **error_responses(_404="Invalid page.")},
        examples=[OpenApiExample("A product", value=PRODUCT_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        partner = caller_partner(request.user)
        filters = parse_filters(serializers.ProductFilterInput, request)
        products = catalogue(include_inactive=partner is None, **filters)
        return paginated_response(
            self, request, products, lambda page: product_output(page, user=request.user, many=True)
        )


class ProductApi(APIView):
    # A PUT creates or updates: it needs both rights.
    permission_classes = [
        staff_may(
            GET=["inventory.view_product"],
            PUT=["inventory.add_product", "inventory.change_product"],
            partners_may=("GET",),
        )
    ]

    @extend_schema(
        summary="One product at the caller's prices",
        responses={200: serializers.ProductOutput, **error_responses(_404="product_not_found, naming the SKU.")},
        examples=[OpenApiExample("A product", value=PRODUCT_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku: str):
        product = get_product(sku=sku, include_inactive=caller_partner(request.user) is None)
        return Response(product_output(product, user=request.user))

    @extend_schema(
        summary="Create or update a product (staff)",
        description=(
            "The SKU is the path's. Absent `unit` or `category` keep the product's own (a new product: \"stem\", none)."
        ),
        request=serializers.ProductUpsertInput,
        responses={
            200: OpenApiResponse(serializers.ProductOutput, description="Updated."),
            201: OpenApiResponse(serializers.ProductOutput, description="Created."),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "Product",
                request_only=True,
                value={
                    "name": "Red rose 50 cm",
                    "unit": "stem",
                    "category": "roses",
                    "case_pack": 50,
                    "min_order_qty": 100,
                    "list_price": "0.40",
                    "active": True,
                },
            )
        ],
    )
    def put(self, request, sku: str):
        body = serializers.ProductUpsertInput(data=request.data)
        body.is_valid(raise_exception=True)
        product, created = upsert_product(sku=sku, actor=request.user.username, **body.validated_data)
        answer = product_output(get_product(sku=product.sku, include_inactive=True), user=request.user)
        if created:
            return Response(answer, status=201, headers={"Location": reverse("api-product", args=[product.sku])})
        return Response(answer)
