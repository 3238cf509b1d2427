"""Input and output of a partner's price for a product."""

from decimal import Decimal

from rest_framework import serializers

from config.api.inputs import StrictInput, WholeNumberField
from config.limits import MAX_WHOLE_NUMBER
from partners.models import PartnerPrice


class PartnerPriceInput(StrictInput):
    unit_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), help_text='Per unit, e.g. "0.36".'
    )
    min_quantity = WholeNumberField(
        required=False,
        default=1,
        min_value=1,
        max_value=MAX_WHOLE_NUMBER,
        help_text="Units per line from which this price applies; 1 (the default) is the plain price.",
    )


class PartnerPriceRemoveInput(serializers.Serializer):
    min_quantity = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_WHOLE_NUMBER, help_text="The break to remove; default 1."
    )


class PartnerPriceOutput(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code")
    sku = serializers.CharField(source="product.sku")

    class Meta:
        model = PartnerPrice
        fields = ["partner", "sku", "min_quantity", "unit_price", "updated_at"]
        read_only_fields = fields
