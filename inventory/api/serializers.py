"""Input and output serializers for the catalogue and stock."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from config.api.inputs import JsonBooleanField, StrictInput, WholeNumberField
from config.api.schema import ErrorOutput
from config.limits import CENT, MAX_WHOLE_NUMBER
from inventory.models import Product, Stock, Warehouse
from inventory.selectors import find_product, find_warehouse


class ProductFilterInput(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the SKU or name, any case."
    )
    category = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="A category, any case.")
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Staff only: active or inactive products."
    )


class PriceBreakOutput(serializers.Serializer):
    min_quantity = serializers.IntegerField(help_text="Units per line from which this price applies.")
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)


class ProductOutput(serializers.ModelSerializer):
    """A product at the caller's prices. The view passes `pricing` in the context:
    {product id: (price for one case, [(min_quantity, unit_price)])}, and `staff`."""

    price = serializers.SerializerMethodField(
        help_text="The caller's unit price when ordering one case (list price for staff)."
    )
    price_breaks = serializers.SerializerMethodField(help_text="The caller's quantity breaks, lowest first.")
    available = serializers.IntegerField(read_only=True, help_text="On hand less reserved, over open warehouses.")
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.context.get("staff"):
            self.fields.pop("active")

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
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(
        required=False, max_length=20, help_text='Default "stem" for a new product; absent keeps the current unit.'
    )
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Absent keeps the current category."
    )
    case_pack = WholeNumberField(min_value=1, max_value=MAX_WHOLE_NUMBER, help_text="Orders come in multiples of this.")
    min_order_qty = WholeNumberField(
        min_value=0, max_value=MAX_WHOLE_NUMBER, help_text="0: no minimum beyond one case."
    )
    list_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), help_text='Per unit, e.g. "0.40".'
    )
    active = JsonBooleanField()


class WarehouseFilterInput(serializers.Serializer):
    """A `warehouse` filter resolved to its warehouse: an unknown code answers 400
    naming it, not an empty list."""

    warehouse = serializers.CharField(required=False, allow_blank=True, max_length=10, help_text="A warehouse code.")

    def validate_warehouse(self, code: str) -> Warehouse | None:
        warehouse = find_warehouse(code=code) if code else None
        if code and warehouse is None:
            raise ValidationError(f"No warehouse {code!r}.", code="unknown_warehouse")
        return warehouse


class StockFilterInput(WarehouseFilterInput):
    """Resolves the SKU and warehouse code it is given, naming the one that does not
    exist: a typo answers 400, not an empty list."""

    sku = serializers.CharField(required=False, allow_blank=True, max_length=40)

    def validate_sku(self, sku: str) -> Product | None:
        product = find_product(sku=sku) if sku else None
        if sku and product is None:
            raise ValidationError(f"No product with SKU {sku!r}.", code="unknown_sku")
        return product


class StockOutput(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    available = serializers.IntegerField(help_text="On hand less reserved.")

    class Meta:
        model = Stock
        fields = ["sku", "warehouse", "on_hand", "reserved", "available", "version", "updated_at"]
        read_only_fields = fields


class StockSetInput(StrictInput):
    on_hand = WholeNumberField(
        min_value=0, max_value=MAX_WHOLE_NUMBER, help_text="The new on-hand quantity; never below what is reserved."
    )
    version = WholeNumberField(
        min_value=0, max_value=MAX_WHOLE_NUMBER, help_text="The version you read; 0 for a row that does not exist yet."
    )


class VersionConflictOutput(ErrorOutput):
    current_version = serializers.IntegerField(
        allow_null=True, help_text="The row's version now (0: it does not exist; null: just created by someone else)."
    )
