"""Input and output of a partner's price for a product."""

from rest_framework import serializers

from config.api.inputs import MoneyField, StrictInput, WholeNumberField
from config.limits import MAX_WHOLE_NUMBER
from partners.models import PartnerPrice


class PartnerPriceInput(StrictInput):
    unit_price = MoneyField(help_text='Per unit, e.g. "0.36".')
    min_quantity = WholeNumberField(
        required=False,
        default=1,
        min_value=1,
        max_value=MAX_WHOLE_NUMBER,
        help_text="Units per line from which this price applies; 1 (the default) is the plain price.",
    )


class PartnerPriceRemoveInput(serializers.Serializer):
    """The query of a DELETE, for the schema: the view reads it with whole_number_param,
    which holds its bounds strictly."""

    min_quantity = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_WHOLE_NUMBER, help_text="The break to remove; default 1."
    )


class PartnerPriceOutput(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PartnerPrice
        fields = ["partner", "sku", "min_quantity", "unit_price", "updated_at"]
        read_only_fields = fields
