"""The catalogue through the REST API: products at the caller's prices, with
availability, and the staff's product upsert. Here rather than in inventory.api because
a product's answer carries the caller's price list (partners.pricing), and inventory
knows no other app."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import created_location, error_responses, path_parameter
from config.callers import caller_partner
from config.limits import SKU_PATTERN
from inventory.api import serializers
from inventory.catalogue import upsert_product
from inventory.selectors import catalogue, get_product
from partners.pricing import catalogue_prices

ERRORS = error_responses()
# The demo world's RO-NAOMI-50 (devdata/demo_tables.py) as BLOOM sees it on a fresh
# demo: 8% off list, 14% from 500 stems, 1600 at AMS and 600 at RTM.
DEMO_PRODUCT = {
    "name": "Rose Red Naomi 50 cm",
    "category": "roses",
    "unit": "stem",
    "case_pack": 50,
    "min_order_qty": 0,
    "list_price": "0.46",
}
PRODUCT_EXAMPLE = {
    "sku": "RO-NAOMI-50",
    **DEMO_PRODUCT,
    "price": "0.42",
    "price_breaks": [{"min_quantity": 1, "unit_price": "0.42"}, {"min_quantity": 500, "unit_price": "0.40"}],
    "available": 2200,
}
STAFF_PRODUCT_EXAMPLE = {**PRODUCT_EXAMPLE, "price": "0.46", "price_breaks": [], "active": True}
PRODUCT_EXAMPLES = [
    OpenApiExample("A product, as a partner sees it", value=PRODUCT_EXAMPLE, response_only=True),
    OpenApiExample("A product, as staff see it", value=STAFF_PRODUCT_EXAMPLE, response_only=True),
]
SKU_PATH = path_parameter("sku", "The product's SKU.", "RO-NAOMI-50")
LOCATION = created_location("The new product's URL.")


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
        responses={200: serializers.ProductOutput(many=True), **ERRORS},
        examples=PRODUCT_EXAMPLES,
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
        parameters=[SKU_PATH],
        responses={
            200: serializers.ProductOutput,
            **error_responses(_404="product_not_found, naming the SKU (partners: inactive products too)."),
        },
        examples=PRODUCT_EXAMPLES,
    )
    def get(self, request, sku: str):
        product = get_product(sku=sku, include_inactive=caller_partner(request.user) is None)
        return Response(product_output(product, user=request.user))

    @extend_schema(
        summary="Create or update a product (staff)",
        description=(
            "The SKU is the path's. Absent `unit` or `category` keep the product's own (a new product: \"stem\", none)."
        ),
        parameters=[
            OpenApiParameter(
                "sku",
                str,
                OpenApiParameter.PATH,
                pattern=SKU_PATTERN,
                description="The product's SKU: 1 to 40 printable ASCII characters, no spaces.",
                examples=[OpenApiExample("A demo product", value="RO-NAOMI-50")],
            ),
            LOCATION,
        ],
        request=serializers.ProductUpsertInput,
        responses={
            200: OpenApiResponse(serializers.ProductOutput, description="Updated."),
            201: OpenApiResponse(serializers.ProductOutput, description="Created."),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "RO-NAOMI-50, as the demo world has it", request_only=True, value={**DEMO_PRODUCT, "active": True}
            ),
            *PRODUCT_EXAMPLES[1:],
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
