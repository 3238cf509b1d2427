"""The catalogue API's date, address and partner: the query parameters that choose the
delivery date and freshness rule `available` is counted for (orders.availability), and
the product answer that says which were counted."""

import re
from datetime import date

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from config.api.inputs import JsonStringField, whole_number_param
from config.callers import caller_partner
from config.errors import UnprocessableError
from fulfillment.selectors import get_ship_to
from inventory.api.serializers import ProductFilterInput, ProductOutput
from inventory.freshness import required_days
from orders.availability import CatalogueBasis, catalogue_basis
from partners.exceptions import PartnerNotFoundError
from partners.models import Partner
from partners.selectors import get_partner_by_code

# Ids are bigints; a larger one names nothing and is refused as out of bounds (400).
MAX_ID = 2**63 - 1
DATE_HELP = (
    "The delivery date to count availability for (YYYY-MM-DD), today up to 366 days ahead. Absent: the earliest "
    "option of the delivery promise for `ship_to` (GET /api/v1/delivery-options/), or today when no route serves "
    "it. Staff naming neither `partner` nor `ship_to`: today, and each product's own freshness default."
)
SHIP_TO_PARAMETER = OpenApiParameter(
    "ship_to",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    description="One of the caller's address ids (GET /api/v1/ship-tos/), whose route's earliest date is counted "
    "when `delivery_date` is absent; absent: the partner's default address. Staff may name any partner's (then "
    "that partner's freshness rule and prices apply).",
    examples=[OpenApiExample("BLOOM's shop in a fresh demo world", value=1)],
)
# The error answers' wording, by status, for config.api.schema.error_responses.
DATED_ERRORS = dict(
    _400="invalid_filter: a parameter breaks this schema (delivery_date not a YYYY-MM-DD date, ship_to not a whole "
    "number within its bounds, a text too long), naming it.",
    _404="ship_to_not_found: no address with that id (for a partner's token: none of its own).",
    _422="delivery_date_in_past or delivery_date_too_far_ahead: no order can be for that date. partner_not_found: "
    "staff name a partner that does not exist. not_allowed: a partner's token names `partner`. Each names the "
    "parameter in `errors`.",
)


class QueryDateField(serializers.DateField):
    """A date written as the schema's `format: date` has it, YYYY-MM-DD: Python would
    also read "20270213" and "2027-W06-6", which the schema refuses."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class DatedProductQueryInput(serializers.Serializer):
    """The date and (staff) partner of one product's answer."""

    delivery_date = QueryDateField(required=False, help_text=DATE_HELP)
    partner = JsonStringField(
        required=False,
        max_length=20,
        help_text="Staff only: a partner's code; its freshness rule, earliest date and prices are counted.",
    )


class DatedProductFilterInput(ProductFilterInput, DatedProductQueryInput):
    """The catalogue's filters with its date and (staff) partner."""


@extend_schema_serializer(component_name="ProductOutput")
class DatedProductOutput(ProductOutput):
    """A product at the caller's prices with what is available for a delivery date. The
    view passes `basis` (orders.availability.CatalogueBasis) in the context too."""

    available = serializers.IntegerField(
        read_only=True,
        help_text="On hand less reserved, over open warehouses, in the lots that can serve `delivery_date` "
        "under the rule `min_days_at_delivery`.",
    )
    delivery_date = serializers.SerializerMethodField(help_text="The delivery date `available` is counted for.")
    min_days_at_delivery = serializers.SerializerMethodField(
        help_text="The days of life a lot must have left on `delivery_date` to count: the partner's rule, else the "
        "product's default, else 0."
    )

    class Meta(ProductOutput.Meta):
        fields = [*ProductOutput.Meta.fields[:-1], "delivery_date", "min_days_at_delivery", "active"]
        read_only_fields = fields[:-1]

    @extend_schema_field(serializers.DateField())
    def get_delivery_date(self, product) -> str:
        return self.context["basis"].delivery_date.isoformat()

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_min_days_at_delivery(self, product) -> int:
        return required_days(self.context["basis"].partner_days, product.min_days_at_delivery)


def named_partner(own: Partner | None, code: str | None) -> Partner | None:
    """The partner a staff token names, refused (422, naming `partner`) for a partner's
    token or a code naming none."""
    if code is None:
        return own
    if own is not None:
        detail = "partner is for staff tokens only; a partner's token sees its own partner's data."
        raise UnprocessableError(
            detail, code="not_allowed", errors=[{"field": "partner", "code": "not_allowed", "detail": detail}]
        )
    try:
        return get_partner_by_code(code=code)
    except PartnerNotFoundError as error:
        problem = {"field": "partner", "code": error.code, "detail": error.message}
        raise UnprocessableError(error.message, code=error.code, errors=[problem]) from None


def basis_for_request(request, filters: dict) -> tuple[CatalogueBasis, bool]:
    """Return the date and rule the request asks availability for, and whether the
    caller is staff. A `ship_to` must be the partner's (404 otherwise, as every door
    answers another partner's address); staff naming one count for its partner."""
    own = caller_partner(request.user)
    partner = named_partner(own, filters.get("partner"))
    ship_to = None
    if request.query_params.get("ship_to") is not None:
        ship_to = whole_number_param(request, "ship_to", default=0, minimum=1, maximum=MAX_ID)
        partner = get_ship_to(ship_to_id=ship_to, partner=partner).partner
    requested: date | None = filters.get("delivery_date")
    return catalogue_basis(partner=partner, address_id=ship_to, requested=requested), own is None
