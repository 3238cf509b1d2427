"""The catalogue through the REST API: products at the caller's prices, with what is
available for a delivery date, and the staff's product upsert. Here in orders rather
than in inventory.api or partners.api because a product's answer carries the caller's
price list (partners.pricing) and its availability for a date of the caller's delivery
promise (orders.availability), and the lower apps know neither."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import created_location, error_responses, path_parameter
from config.limits import SKU_PATTERN
from inventory.api import serializers
from inventory.catalogue import upsert_product
from inventory.selectors import catalogue, get_product
from orders.api.catalogue_inputs import (
    DATED_ERRORS,
    SHIP_TO_PARAMETER,
    DatedProductFilterInput,
    DatedProductOutput,
    DatedProductQueryInput,
    basis_for_request,
)
from orders.availability import CatalogueBasis, catalogue_basis
from partners.pricing import catalogue_prices

ERRORS = error_responses()
# The demo world's RO-NAOMI-50 (devdata/demo_tables.py) as BLOOM sees it on a demo
# built two days before: 8% off list, 14% from 500 stems, and of the 1600 at AMS and
# 600 at RTM only the fresh lots (800 and 300) count for the 13th under BLOOM's rule of
# 3 days: the lots expiring on the 13th would have none left, the arriving ones come
# on the 14th.
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
    "available": 1100,
    "delivery_date": "2027-02-13",
    "min_days_at_delivery": 3,
}
STAFF_PRODUCT_EXAMPLE = {
    **PRODUCT_EXAMPLE,
    "price": "0.46",
    "price_breaks": [],
    # Staff naming no partner count with each product's default: roses want 4 days.
    "min_days_at_delivery": 4,
    "active": True,
}
PRODUCT_EXAMPLES = [
    OpenApiExample("A product, as a partner sees it", value=PRODUCT_EXAMPLE, response_only=True),
    OpenApiExample("A product, as staff see it", value=STAFF_PRODUCT_EXAMPLE, response_only=True),
]
SKU_PATH = path_parameter("sku", "The product's SKU.", "RO-NAOMI-50")
LOCATION = created_location("The new product's URL.")


def product_output(products, *, basis: CatalogueBasis, staff: bool, many: bool = False) -> dict | list:
    """The products (annotated for `basis`) at the prices of the basis's partner (staff
    asking for none: list prices)."""
    page = list(products) if many else [products]
    context = {
        "staff": staff,
        "basis": basis,
        "pricing": catalogue_prices(products=page, partner=basis.partner),
    }
    return DatedProductOutput(products, many=many, context=context).data


class ProductListApi(APIView):
    permission_classes = [staff_may(GET=["inventory.view_product"], partners_may=("GET",))]
    pagination_class = StandardPagination

    @extend_schema(
        summary="The catalogue at the caller's prices, with availability for a delivery date",
        description="Partner tokens see active products at their own prices; staff tokens see every product "
        "at list price, with `active`, or at a partner's prices when they name it (`partner`). `available` "
        "counts only the lots that can serve `delivery_date` under the freshness rule answered as "
        "`min_days_at_delivery`.",
        parameters=[DatedProductFilterInput, SHIP_TO_PARAMETER],
        responses={200: DatedProductOutput(many=True), **error_responses(**DATED_ERRORS)},
        examples=PRODUCT_EXAMPLES,
    )
    def get(self, request):
        filters = parse_filters(DatedProductFilterInput, request)
        basis, staff = basis_for_request(request, filters)
        products = catalogue(
            include_inactive=staff,
            delivery_date=basis.delivery_date,
            partner_days=basis.partner_days,
            **{name: value for name, value in filters.items() if name in ("q", "category", "active")},
        )
        return paginated_response(
            self, request, products, lambda page: product_output(page, basis=basis, staff=staff, many=True)
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
        summary="One product at the caller's prices, with availability for a delivery date",
        description="As the catalogue's list: `delivery_date`, `ship_to` and (staff) `partner` choose the date "
        "and the freshness rule `available` is counted for.",
        parameters=[SKU_PATH, DatedProductQueryInput, SHIP_TO_PARAMETER],
        responses={
            200: DatedProductOutput,
            **error_responses(
                **{
                    **DATED_ERRORS,
                    "_404": "product_not_found, naming the SKU (partners: inactive products too). ship_to_not_found: "
                    "no address with that id (for a partner's token: none of its own).",
                }
            ),
        },
        examples=PRODUCT_EXAMPLES,
    )
    def get(self, request, sku: str):
        filters = parse_filters(DatedProductQueryInput, request)
        basis, staff = basis_for_request(request, filters)
        product = get_product(
            sku=sku, include_inactive=staff, delivery_date=basis.delivery_date, partner_days=basis.partner_days
        )
        return Response(product_output(product, basis=basis, staff=staff))

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
            200: OpenApiResponse(DatedProductOutput, description="Updated; `available` for today."),
            201: OpenApiResponse(DatedProductOutput, description="Created; `available` for today."),
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
        basis = catalogue_basis(partner=None)
        product = get_product(
            sku=product.sku, include_inactive=True, delivery_date=basis.delivery_date, partner_days=None
        )
        answer = product_output(product, basis=basis, staff=True)
        if created:
            return Response(answer, status=201, headers={"Location": reverse("api-product", args=[product.sku])})
        return Response(answer)
