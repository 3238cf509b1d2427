"""Input and output serializers for the catalogue and stock."""

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import JsonBooleanField, JsonStringField, MoneyField, StrictInput, WholeNumberField
from config.api.schema import ErrorOutput
from config.errors import UnprocessableError
from config.limits import CENT, MAX_WHOLE_NUMBER
from inventory.models import LOT_COLUMNS, MAX_DAYS_AT_DELIVERY, Product, Stock
from inventory.selectors import find_product, find_warehouse


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter spelled as the schema's boolean is: "true" or "false".
    DRF's "yes", "1", "on" or an empty value are 400, not guessed at."""

    default_error_messages = {"invalid": 'Must be "true" or "false".'}

    def to_internal_value(self, data):
        # Compared as sent: DRF would lower-case "True" first.
        if data not in ("true", "false"):
            self.fail("invalid")
        return data == "true"


class ProductFilterInput(serializers.Serializer):
    q = JsonStringField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the SKU or name, any case."
    )
    category = JsonStringField(required=False, allow_blank=True, max_length=40, help_text="A category, any case.")
    active = QueryBooleanField(required=False, help_text="Staff only: active or inactive products.")


class PriceBreakOutput(serializers.Serializer):
    min_quantity = serializers.IntegerField(read_only=True, help_text="Units per line from which this price applies.")
    unit_price = serializers.DecimalField(read_only=True, max_digits=10, decimal_places=2)


class ProductOutput(serializers.ModelSerializer):
    """A product at the caller's prices. The view passes `pricing` in the context:
    {product id: (price for one case, [(min_quantity, unit_price)])}, and `staff`."""

    price = serializers.SerializerMethodField(
        help_text="The caller's unit price when ordering one case (list price for staff)."
    )
    price_breaks = serializers.SerializerMethodField(help_text="The caller's quantity breaks, lowest first.")
    available = serializers.IntegerField(read_only=True, help_text="On hand less reserved, over open warehouses.")
    # Neither read-only nor required, so the schema declares it without requiring it:
    # partners' answers leave it out.
    active = serializers.BooleanField(required=False, help_text="Present for staff tokens only.")

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "category",
            "unit",
            "case_pack",
            "min_order_qty",
            "list_price",
            "price",
            "price_breaks",
            "available",
            "active",
        ]
        read_only_fields = fields[:-1]

    def to_representation(self, product):
        # Dropped here rather than from the fields, so that the schema (built without
        # a caller) still declares it.
        answer = super().to_representation(product)
        if not self.context.get("staff"):
            answer.pop("active")
        return answer

    def _pricing(self, product):
        return self.context.get("pricing", {}).get(product.id, (product.list_price, []))

    @staticmethod
    def _money(amount: Decimal) -> str:
        return str(amount.quantize(CENT))

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_price(self, product) -> str:
        return self._money(self._pricing(product)[0])

    @extend_schema_field(PriceBreakOutput(many=True))
    def get_price_breaks(self, product) -> list[dict]:
        return [{"min_quantity": m, "unit_price": self._money(p)} for m, p in self._pricing(product)[1]]


class ProductUpsertInput(StrictInput):
    name = JsonStringField(min_length=1, max_length=200)
    unit = JsonStringField(
        required=False,
        min_length=1,
        max_length=20,
        help_text='Default "stem" for a new product; absent keeps the current unit.',
    )
    category = JsonStringField(
        required=False, allow_blank=True, max_length=40, help_text="Absent keeps the current category."
    )
    case_pack = WholeNumberField(min_value=1, max_value=MAX_WHOLE_NUMBER, help_text="Orders come in multiples of this.")
    min_order_qty = WholeNumberField(
        min_value=0, max_value=MAX_WHOLE_NUMBER, help_text="0: no minimum beyond one case."
    )
    list_price = MoneyField(help_text='Per unit, e.g. "0.40".')
    active = JsonBooleanField()
    min_days_at_delivery = WholeNumberField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_DAYS_AT_DELIVERY,
        help_text="Days of life a lot must have left on the delivery date for partners without a rule of their "
        "own (docs/DESIGN.md section 11); null: none; absent keeps the product's.",
    )


class WarehouseFilterInput(serializers.Serializer):
    """The shape of a `warehouse` filter; `resolve_filter_codes` looks the code up."""

    warehouse = JsonStringField(required=False, allow_blank=True, max_length=10, help_text="A warehouse code.")


# JSON Schema's "date" (RFC 3339 full-date) and nothing else: DRF's DateField would
# also read "20270213" and "2027-W07-6", which the schema calls broken.
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FullDateField(serializers.DateField):
    """A date written YYYY-MM-DD, exactly as the schema's `format: date` says."""

    default_error_messages = {"invalid": "A date written YYYY-MM-DD is required, e.g. 2027-02-13."}

    def to_internal_value(self, value):
        if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
            self.fail("invalid")
        return super().to_internal_value(value)


class StockFilterInput(WarehouseFilterInput):
    sku = JsonStringField(required=False, allow_blank=True, max_length=40, help_text="A SKU.")
    lot = JsonStringField(required=False, allow_blank=True, max_length=40, help_text="A lot code (empty: every lot).")
    expires_before = FullDateField(
        required=False, help_text="Only lots whose expires_on is before this date (lots without one never)."
    )


UNKNOWN_FILTER_CODES = (
    "unknown_sku or unknown_warehouse: a filter names a SKU or warehouse that does not exist (a typo is named, "
    "not answered with an empty page); `errors` names each."
)


def resolve_filter_codes(filters: dict) -> dict:
    """Return the filters with their `sku` and `warehouse` codes replaced by the rows
    they name. A well-formed code naming nothing is a business refusal, not a broken
    request: raise UnprocessableError (422) naming each unknown one, coded after the
    first."""
    resolved, unknown = dict(filters), []
    if "sku" in filters:
        resolved["sku"] = find_product(sku=filters["sku"])
        if resolved["sku"] is None:
            unknown.append(("sku", "unknown_sku", f"No product with SKU {filters['sku']!r}."))
    if "warehouse" in filters:
        resolved["warehouse"] = find_warehouse(code=filters["warehouse"])
        if resolved["warehouse"] is None:
            unknown.append(("warehouse", "unknown_warehouse", f"No warehouse {filters['warehouse']!r}."))
    if unknown:
        errors = [{"field": field, "code": code, "detail": detail} for field, code, detail in unknown]
        raise UnprocessableError("; ".join(detail for _, _, detail in unknown), code=unknown[0][1], errors=errors)
    return resolved


class StockOutput(serializers.ModelSerializer):
    """One lot. The stock without a lot code is lot ""."""

    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    lot = serializers.CharField(read_only=True, help_text='The lot code; "" for stock without one.')
    available_from = serializers.DateField(
        read_only=True, allow_null=True, help_text="The first delivery date it can serve; null: now."
    )
    expires_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The last day it is fit to sell; null: it does not perish."
    )
    available = serializers.IntegerField(read_only=True, help_text="On hand less reserved.")

    class Meta:
        model = Stock
        fields = ["sku", "warehouse", *LOT_COLUMNS, "updated_at"]
        read_only_fields = fields


class StockSetInput(StrictInput):
    on_hand = WholeNumberField(
        min_value=0, max_value=MAX_WHOLE_NUMBER, help_text="The new on-hand quantity; never below what is reserved."
    )
    version = WholeNumberField(
        min_value=0, max_value=MAX_WHOLE_NUMBER, help_text="The version you read; 0 for a row that does not exist yet."
    )


class StockLotSetInput(StockSetInput):
    """A lot's on-hand quantity and dates. For a lot that exists, an absent date keeps
    the lot's date and null clears it; a new lot without one has none."""

    available_from = FullDateField(
        required=False,
        allow_null=True,
        help_text="The first delivery date the lot can serve; null: now. Absent keeps the lot's date.",
    )
    expires_on = FullDateField(
        required=False,
        allow_null=True,
        help_text="The last day the lot is fit to sell, not before available_from; null: it does not perish. "
        "Absent keeps the lot's date.",
    )


class VersionConflictOutput(ErrorOutput):
    """version_conflict: someone wrote the row since it was read."""

    current_version = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The row's version now (0: it does not exist; null: just created by someone else).",
    )


class BelowReservedOutput(ErrorOutput):
    """on_hand_below_reserved: the new on-hand figure would erase reservations."""

    reserved = serializers.IntegerField(read_only=True, help_text="The units reserved for orders now.")


class LotInUseOutput(ErrorOutput):
    """lot_in_use: the new dates would leave reservations on the lot unfit."""

    unfit_reservations = serializers.IntegerField(
        read_only=True, help_text="How many of the lot's reservations the new dates would leave unfit."
    )
